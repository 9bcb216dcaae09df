"""Template filters of the grants pages."""
