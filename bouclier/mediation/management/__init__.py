"""Management commands of the mediation context."""
