"""Recruiting volunteer friends: the public application and the managers' decision."""
