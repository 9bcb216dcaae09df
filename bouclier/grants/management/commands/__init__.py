"""Management commands of the grants context."""
