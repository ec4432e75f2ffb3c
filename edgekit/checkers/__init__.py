"""edgekit.checkers."""
