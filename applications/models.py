"""Models of applications (to come)."""
