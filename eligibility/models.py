"""Models of eligibility (to come)."""
