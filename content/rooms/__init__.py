"""Deal rooms: one page for a deal's buyer with several assets, a note from the rep, and
what the buyer read (which pages, for how long), reported back to the rep."""
