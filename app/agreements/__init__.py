"""Cooperation agreements between the partner organisations and each municipality."""
