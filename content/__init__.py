"""Content library: assets, revisions, files, taxonomy (and later ratings, usage, deals)."""
