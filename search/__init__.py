"""Search over the content library (backends, indexing and the search pages)."""
