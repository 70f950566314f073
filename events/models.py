"""Models of events (to come)."""
