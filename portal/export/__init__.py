"""Export: every row an admin or a leader may read, as one archive of CSV files, built by
a background job and downloaded by the person who asked for it; and the `export` command,
which writes the same files into a folder."""
