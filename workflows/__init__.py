"""Workflows: the asset state machine and its audit log (review, posts and requests later)."""
