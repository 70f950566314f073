"""Models of support (to come)."""
