"""The content library: assets and their revisions, the board and the list, authoring,
Markdown and diffs, and who may do what with an asset."""
