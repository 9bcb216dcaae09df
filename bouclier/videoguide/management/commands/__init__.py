"""Commands: purge of the expired anonymous studies."""
