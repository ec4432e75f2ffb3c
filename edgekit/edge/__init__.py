"""edgekit.edge."""
