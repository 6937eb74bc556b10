"""Accounts: signing in and out, the profile (password, API tokens) and user
administration."""
