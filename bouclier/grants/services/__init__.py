"""The grants rules: pure typed functions (rules, computation) and database look-ups."""
