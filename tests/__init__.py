"""Cross-cutting tests: the permission matrix and the browser tests."""
