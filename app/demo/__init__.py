"""Demo data so a newcomer can try every role at once."""
