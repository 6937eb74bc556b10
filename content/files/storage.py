"""Where uploaded files' bytes live, behind one small interface.

Every other module reads and writes stored files through :func:`file_store`: save one
under its generated name, open or delete it, list the names with a prefix (the uploads kept
for refused forms, content.files.pending), lend a path on this host to a reader that needs
one (text extraction runs in a child process), and answer a download. The folder
store keeps them in ``TANDEM_UPLOAD_FOLDER``, which several hosts share as a network
folder; object storage would be another class with the same six methods.
"""

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app, send_file

CHUNK = 1024 * 1024


class FileStore(ABC):
    """The bytes of stored files, by storage name (generated, never a user's)."""

    @abstractmethod
    def save(self, name: str, stream: BinaryIO) -> None:
        """Store ``stream`` under ``name`` whole or not at all."""

    @abstractmethod
    def open(self, name: str) -> BinaryIO:
        """The stored bytes to read; FileNotFoundError when they are gone."""

    @abstractmethod
    def delete(self, name: str) -> None:
        """Remove the file; nothing happens when it is gone already."""

    @abstractmethod
    def names(self, prefix: str) -> Iterator[str]:
        """The stored names that begin with ``prefix`` (at least two characters)."""

    @abstractmethod
    @contextmanager
    def local_path(self, name: str) -> Iterator[Path]:
        """A path on this host holding the bytes while the block runs (FileNotFoundError
        when they are gone)."""

    def response(self, name: str, mimetype: str, as_attachment: bool, download_name: str):
        """A response sending the file."""
        return send_file(
            self._source(name),
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=0,
        )

    def _source(self, name: str) -> BinaryIO | Path:
        return self.open(name)


class FolderStore(FileStore):
    """Files in a folder (local, or a network folder every host mounts), two levels deep
    so no folder holds every file."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        """Where ``name`` is kept."""
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"Not a storage name: {name!r}")
        return self.root / name[:2] / name

    def save(self, name: str, stream: BinaryIO) -> None:
        # Written under a temporary name and renamed: a crash never leaves a half-written
        # file under a name the database refers to.
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        with open(partial, "wb") as out:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)

    def open(self, name: str) -> BinaryIO:
        return open(self.path(name), "rb")

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def names(self, prefix: str) -> Iterator[str]:
        # A name's folder is its first two characters, so one folder holds every match.
        folder = self.path(prefix).parent
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name.startswith(prefix) and path.is_file():
                    yield path.name

    @contextmanager
    def local_path(self, name: str) -> Iterator[Path]:
        path = self.path(name)
        if not path.exists():
            raise FileNotFoundError(path)
        yield path

    def _source(self, name: str) -> Path:
        # A path, not an open file: the server can send it with sendfile and answer ranges.
        return self.path(name)


def install_file_store(app: Flask) -> None:
    """Give ``app`` its store of uploaded files."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    app.extensions["file_store"] = FolderStore(folder)


def file_store(app: Flask | None = None) -> FileStore:
    """The application's store of uploaded files."""
    return (app or current_app).extensions["file_store"]
