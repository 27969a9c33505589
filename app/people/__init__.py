"""The people registry: refugees and volunteers, their profiles and status."""
