"""Management commands of the supervision context."""
