"""Database and upload-folder steps of the deploy scripts (entrypoint.sh, backup.sh,
restore.sh), in Python because they need the portal's own reading of its settings and
SQLAlchemy's reading of the database URL.

    python deploy/dbtool.py wait-db SECONDS     wait until the database accepts connections
    python deploy/dbtool.py upload-folder       print the upload folder
    python deploy/dbtool.py dump DIR            write DIR/database.* and DIR/database.json
    python deploy/dbtool.py manifest DIR        write DIR/manifest.json (database + uploads)
    python deploy/dbtool.py holds-data          exit 0 when the database has tables or the
                                                upload folder has files, 1 when both are empty
    python deploy/dbtool.py load DIR            restore DIR's database dump
    python deploy/dbtool.py compare DIR         print the manifest's counts beside the
                                                restored ones; exit 1 on a mismatch

Every step reads the settings the portal reads (``DATABASE_URL``, ``TANDEM_INSTANCE_PATH``,
``TANDEM_UPLOAD_FOLDER``), so a backup is of the same database and folder the portal uses.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy import (
    URL,
    Connection,
    column,
    create_engine,
    func,
    inspect,
    make_url,
    select,
    table,
)
from sqlalchemy.exc import OperationalError

from portal.kernel.config import from_environment

PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
UPLOADS = "uploads.tar.gz"
MANIFEST = "manifest.json"
DATABASE_PART = "database.json"


def settings() -> tuple[URL, Path]:
    """The database URL and the upload folder, read as the portal reads them."""
    config = from_environment()
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database:
        # Flask-SQLAlchemy reads a relative SQLite path from the instance folder.
        path = Path(config["INSTANCE_PATH"]) / url.database
        url = url.set(database=str(path.resolve()))
    return url, Path(config["UPLOAD_FOLDER"])


def is_sqlite(url: URL) -> bool:
    """True for a SQLite URL, the one kind besides PostgreSQL the portal runs on."""
    return url.get_backend_name() == "sqlite"


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore (``postgresql+psycopg://`` is SQLAlchemy's
    spelling) and the environment that carries the password, kept off the command line
    where every local user could read it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows in each table of the connection's schema, by table name."""
    names = sorted(inspect(conn).get_table_names())
    return {
        name: int(conn.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in names
    }


def revision(counts: dict[str, int], conn: Connection) -> str | None:
    """The Alembic revision the database is at (heads joined by commas), None if none."""
    if "alembic_version" not in counts:
        return None
    heads = conn.execute(
        select(column("version_num")).select_from(table("alembic_version"))
    ).scalars()
    return ",".join(sorted(heads)) or None


def wait_db(seconds: int) -> None:
    """Return once the database accepts a connection; exit 1 after ``seconds``."""
    url, _ = settings()
    if is_sqlite(url):
        return  # a file: nothing to wait for, and the portal creates it
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    deadline = time.monotonic() + seconds
    while True:
        try:
            with engine.connect():
                return
        except OperationalError as error:
            if time.monotonic() >= deadline:
                reason = str(error.orig).strip().splitlines()[0]
                sys.exit(f"The database did not accept connections within {seconds} s: {reason}")
            time.sleep(1)


def dump(directory: Path) -> None:
    """Write the database into ``directory`` with its revision and row counts, all read
    from one snapshot, so the counts describe exactly the rows the dump holds."""
    url, _ = settings()
    if is_sqlite(url):
        copy = directory / SQLITE_COPY
        source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        with source, target:
            # The backup API copies a consistent state even while the portal writes.
            source.backup(target)
        source.close()
        target.close()
        engine = create_engine(f"sqlite:///{copy}")
        kind, file = "sqlite", SQLITE_COPY
    else:
        engine = create_engine(url, isolation_level="REPEATABLE READ")
        kind, file = "postgresql", PG_DUMP
    with engine.connect() as conn, conn.begin():
        if kind == "postgresql":
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            _pg_dump(url, snapshot, directory / PG_DUMP)
        counts = table_counts(conn)
        part = {"kind": kind, "file": file, "revision": revision(counts, conn), "tables": counts}
    engine.dispose()
    (directory / DATABASE_PART).write_text(json.dumps(part, indent=2))


def _pg_dump(url: URL, snapshot: str, target: Path) -> None:
    """pg_dump in the custom format, reading the snapshot the caller's transaction holds."""
    address, env = libpq(url)
    command = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
    command += [f"--file={target}", f"--dbname={address}"]
    subprocess.run(command, env=env, check=True)  # noqa: S603 - arguments, not a shell


def upload_stats(archive: Path) -> dict[str, int]:
    """Files and bytes in an uploads archive."""
    with tarfile.open(archive) as tar:
        files = [member for member in tar.getmembers() if member.isfile()]
    return {"files": len(files), "bytes": sum(member.size for member in files)}


def folder_stats(folder: Path) -> dict[str, int]:
    """Files and bytes under an upload folder."""
    files = [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []
    return {"files": len(files), "bytes": sum(path.stat().st_size for path in files)}


def write_manifest(directory: Path) -> None:
    """Gather the database part and the uploads archive's figures into manifest.json."""
    part_path = directory / DATABASE_PART
    try:
        version = metadata.version("tandem")
    except metadata.PackageNotFoundError:
        version = "unknown"
    manifest = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tandem_version": version,
        "database": json.loads(part_path.read_text()),
        "uploads": {"file": UPLOADS, **upload_stats(directory / UPLOADS)},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    part_path.unlink()


def restored_counts() -> dict[str, int]:
    """Row counts of the configured database as it is now."""
    url, _ = settings()
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = table_counts(conn)
    engine.dispose()
    return counts


def holds_data() -> bool:
    """True when the configured database has tables or the upload folder has files."""
    url, uploads = settings()
    if any(path.is_file() for path in uploads.rglob("*")):
        return True
    if is_sqlite(url) and not Path(str(url.database)).exists():
        return False
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    engine.dispose()
    return bool(tables)


def load(directory: Path) -> None:
    """Replace the configured database's contents with the dump in ``directory``."""
    manifest = json.loads((directory / MANIFEST).read_text())
    url, _ = settings()
    kind = manifest["database"]["kind"]
    if kind != ("sqlite" if is_sqlite(url) else "postgresql"):
        sys.exit(f"This backup holds a {kind} database; DATABASE_URL names another kind.")
    dump_file = directory / manifest["database"]["file"]
    if kind == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{dump_file}?mode=ro", uri=True)
        target = sqlite3.connect(str(url.database))
        with source, target:
            source.backup(target)
        source.close()
        target.close()
        return
    address, env = libpq(url)
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    command += [f"--dbname={address}", str(dump_file)]
    subprocess.run(command, env=env, check=True)  # noqa: S603 - arguments, not a shell


def compare(directory: Path) -> bool:
    """Print each table's rows in the backup beside the restored rows, and the upload
    files likewise; True when every table of the backup and the file count match."""
    manifest = json.loads((directory / MANIFEST).read_text())
    expected: dict[str, int] = manifest["database"]["tables"]
    restored = restored_counts()
    _, uploads = settings()
    rows = [(name, expected[name], restored.get(name)) for name in sorted(expected)]
    rows.append(("(upload files)", manifest["uploads"]["files"], folder_stats(uploads)["files"]))
    width = max(len(name) for name, _, _ in rows)
    print(f"{'table':<{width}}  {'backup':>8}  {'restored':>8}")
    matched = True
    for name, before, after in rows:
        flag = "" if before == after else "  MISMATCH"
        matched = matched and before == after
        shown = "missing" if after is None else after
        print(f"{name:<{width}}  {before:>8}  {shown:>8}{flag}")
    for name in sorted(set(restored) - set(expected)):
        print(f"{name:<{width}}  {'-':>8}  {restored[name]:>8}  (not in the backup)")
    return matched


def main(argv: list[str]) -> int:
    """Run one step; see the module's docstring."""
    step, *args = argv or ["help"]
    if step == "wait-db":
        wait_db(int(args[0]))
    elif step == "upload-folder":
        print(settings()[1])
    elif step == "dump":
        dump(Path(args[0]))
    elif step == "manifest":
        write_manifest(Path(args[0]))
    elif step == "holds-data":
        return 0 if holds_data() else 1
    elif step == "load":
        load(Path(args[0]))
    elif step == "compare":
        return 0 if compare(Path(args[0])) else 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
