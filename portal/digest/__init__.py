"""The weekly digest: each person's week in their role's terms, on a page and by email."""
