"""The bell, the notifications page and /api/v1/notifications (notify() is in the kernel)."""
