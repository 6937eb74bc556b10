#!/bin/sh
# The one entry point of a Tandem install: the container runs it, the systemd units run
# it, and so do the tests. It runs from the project folder (TANDEM_HOME, by default the
# folder above this script) with the `flask`, `gunicorn` and `python` found on PATH, so put
# the virtualenv's bin first on PATH (the image and the systemd units do).
#
#   entrypoint.sh web             wait for the database, migrate (TANDEM_MIGRATE_ON_START),
#                                 then serve with gunicorn (deploy/gunicorn.conf.py)
#   entrypoint.sh worker          background job worker (needs TANDEM_REDIS_URL)
#   entrypoint.sh scheduler       enqueues the periodic jobs (the weekly digest, ...)
#   entrypoint.sh migrate         db upgrade, then exit
#   entrypoint.sh init [OPTIONS]  flask init (default taxonomy, first admin)
#   entrypoint.sh backup DIR      deploy/backup.sh DIR
#   entrypoint.sh restore DIR [--force]
#                                 deploy/restore.sh DIR [--force]
#   entrypoint.sh anything else   run as given (e.g. `flask --app portal search check`)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TANDEM_HOME=${TANDEM_HOME:-$(dirname "$here")}
export TANDEM_HOME
cd "$TANDEM_HOME"
# deploy/dbtool.py imports the portal's settings from this copy of the code.
export PYTHONPATH="$TANDEM_HOME${PYTHONPATH:+:$PYTHONPATH}"

truthy() {
    case $(printf '%s' "$1" | tr '[:upper:]' '[:lower:]') in
        1 | true | yes | on) return 0 ;;
        *) return 1 ;;
    esac
}

wait_for_database() {
    # Bounded: a database that never comes up fails the start, and the supervisor
    # (compose, systemd) restarts it, rather than a process that hangs forever.
    seconds=${TANDEM_DB_WAIT_SECONDS:-30}
    if [ "$seconds" -gt 0 ]; then
        python "$here/dbtool.py" wait-db "$seconds"
    fi
}

migrate() {
    flask --app portal db upgrade
}

command=${1:-web}
[ "$#" -gt 0 ] && shift

case $command in
    web)
        wait_for_database
        if truthy "${TANDEM_MIGRATE_ON_START:-true}"; then
            migrate
        fi
        exec gunicorn -c "$here/gunicorn.conf.py" 'portal:create_app()'
        ;;
    worker)
        wait_for_database
        exec flask --app portal worker "$@"
        ;;
    scheduler)
        wait_for_database
        exec flask --app portal scheduler "$@"
        ;;
    migrate)
        wait_for_database
        migrate
        ;;
    init)
        exec flask --app portal init "$@"
        ;;
    backup)
        exec "$here/backup.sh" "$@"
        ;;
    restore)
        exec "$here/restore.sh" "$@"
        ;;
    *)
        exec "$command" "$@"
        ;;
esac
