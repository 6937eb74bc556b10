#!/bin/sh
# backup.sh DIR: write into DIR (created, must not hold a backup already)
#   database.dump      pg_dump --format=custom of DATABASE_URL (PostgreSQL), or
#   database.sqlite3   a consistent copy made with SQLite's backup API (SQLite)
#   uploads.tar.gz     the upload folder (TANDEM_UPLOAD_FOLDER)
#   manifest.json      time, Alembic revision, each table's rows, upload files
# The search index is not saved: restore.sh rebuilds it. The settings are the portal's
# (the same environment the portal runs with); safe while the portal serves.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TANDEM_HOME=${TANDEM_HOME:-$(dirname "$here")}
cd "$TANDEM_HOME"
# deploy/dbtool.py imports the portal's settings from this copy of the code.
export PYTHONPATH="$TANDEM_HOME${PYTHONPATH:+:$PYTHONPATH}"

if [ "$#" -ne 1 ]; then
    echo "usage: backup.sh DIR" >&2
    exit 2
fi
dir=$1
if [ -e "$dir/manifest.json" ]; then
    echo "$dir already holds a backup; choose a new folder (e.g. one per date)." >&2
    exit 2
fi
# A backup holds every account's password hash and every file: readable by its owner only.
umask 077
mkdir -p "$dir"

uploads=$(python "$here/dbtool.py" upload-folder)
# The database first, then the files: uploads are never rewritten in place, so every file
# the dumped rows name is in the archive (files added meanwhile are harmless extras).
python "$here/dbtool.py" dump "$dir"
mkdir -p "$uploads"
tar -czf "$dir/uploads.tar.gz" -C "$uploads" .
python "$here/dbtool.py" manifest "$dir"
echo "Backup written to $dir:"
cat "$dir/manifest.json"
