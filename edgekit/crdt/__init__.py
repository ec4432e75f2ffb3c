"""edgekit.crdt."""
