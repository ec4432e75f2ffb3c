"""edgekit.widgets."""
