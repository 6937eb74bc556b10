"""The audit log: one event for every state change, and the admins' page and CSV."""
