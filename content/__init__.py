"""The content library and the evidence of its use: the library itself (assets, revisions,
the board), uploaded files and their text, the taxonomy, deals, CRM imports, and usage
(ratings, usage events, share links). Content imports nothing but the portal's kernel."""
