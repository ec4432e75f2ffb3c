"""edgekit.consistency."""
