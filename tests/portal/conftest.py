"""Helpers for the portal tests: reading flashes, redirects and the API error shape."""
