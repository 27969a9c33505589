"""Matches between refugees and volunteer friends: suggestions, batches, the lifecycle."""
