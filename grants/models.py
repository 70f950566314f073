"""Models of grants (to come)."""
