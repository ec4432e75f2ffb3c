"""edgekit.figures."""
