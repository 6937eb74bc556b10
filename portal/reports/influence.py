"""Report (being written)."""
