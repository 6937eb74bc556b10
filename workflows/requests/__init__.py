"""Content requests: a rep asks marketing for content the library lacks."""
