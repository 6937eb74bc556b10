#!/bin/sh
# restore.sh DIR [--force]: put back a backup made by backup.sh into the database and
# upload folder the environment names (DATABASE_URL, TANDEM_UPLOAD_FOLDER), then bring
# the schema to this release (db upgrade) and rebuild the search index. Prints each
# table's rows in the backup beside the restored rows; exits 1 on a mismatch.
# Refuses, without --force, when the database has tables or the upload folder has files.
# Stop the web, worker and scheduler processes first.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TANDEM_HOME=${TANDEM_HOME:-$(dirname "$here")}
cd "$TANDEM_HOME"
# deploy/dbtool.py imports the portal's settings from this copy of the code.
export PYTHONPATH="$TANDEM_HOME${PYTHONPATH:+:$PYTHONPATH}"

dir=
force=false
for argument in "$@"; do
    case $argument in
        --force) force=true ;;
        -*) echo "restore.sh: unknown option $argument" >&2; exit 2 ;;
        *) dir=$argument ;;
    esac
done
if [ -z "$dir" ] || [ ! -f "$dir/manifest.json" ]; then
    echo "usage: restore.sh DIR [--force]  (DIR holds a backup.sh manifest.json)" >&2
    exit 2
fi

if python "$here/dbtool.py" holds-data && [ "$force" != true ]; then
    echo "The database already has tables or the upload folder has files." >&2
    echo "Restoring replaces them; run again with --force to do so." >&2
    exit 3
fi

uploads=$(python "$here/dbtool.py" upload-folder)
case $uploads in
    "" | /) echo "The upload folder is '$uploads'; set TANDEM_UPLOAD_FOLDER." >&2; exit 2 ;;
esac
python "$here/dbtool.py" load "$dir"
# The folder may be a mount point (a shared volume): empty it rather than replace it.
mkdir -p "$uploads"
find "$uploads" -mindepth 1 -delete
tar -xzf "$dir/uploads.tar.gz" -C "$uploads"

# Compare before anything else writes: a newer release's migrations may add rows.
if ! python "$here/dbtool.py" compare "$dir"; then
    echo "The restored rows or files do not match the backup's manifest (above)." >&2
    exit 1
fi

# A backup from an older release is brought to this one; the index is not in backups.
flask --app portal db upgrade
flask --app portal search rebuild
echo "Restored from $dir."
