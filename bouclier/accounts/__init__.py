"""People, organisations and roles, and the scoped access helpers every context uses."""
