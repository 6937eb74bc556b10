"""Uploaded files: checks and storage, and reading their text outside the request.

Kept free of imports: ``python -m content.files.extraction`` runs in a child process that
must start fast."""
