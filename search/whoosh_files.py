"""Reading the Whoosh index's files in place, from one memory map per file per process.

Whoosh opens each part of a segment's compound file (postings, terms, stored fields,
columns) as a ``BufferFile``, which copies the whole part into a ``BytesIO``: every
searcher held a private copy of the index in memory (75 MB at 10,000 assets, 364 MB at
50,000), besides the pages of the map it copied from. Here each part is a view of the
file's memory map, and a read copies only the bytes it returns; the pages of the map
belong to the page cache and are shared by every searcher of the process (and with the
other processes on the host).

Each opened file has its own read position, as Whoosh's readers move it (seek, then
read): a map is shared, a position never is.
"""

import mmap
import os
import threading
import weakref

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile

# The first stretch a line is looked for in, doubled until the newline is found.
LINE_CHUNK = 256


class _View:
    """A read-only file over a memoryview: ``read`` copies only what it returns."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(start + size, len(self._buf))
        self._pos = max(start, end)
        return self._buf[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        """Up to and including the next newline (pickle reads some opcodes so), looked
        for in growing chunks: a member may be the whole stored-fields file, and copying
        all that follows to find one newline would cost a read of it per line."""
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(start + size, len(self._buf))
        chunk, looked = LINE_CHUNK, start
        while looked < end:
            stop = min(looked + chunk, end)
            found = self._buf[looked:stop].tobytes().find(b"\n")
            if found >= 0:
                return self.read(looked + found + 1 - start)
            looked, chunk = stop, chunk * 2
        return self.read(end - start)

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self._pos
        elif whence == os.SEEK_END:
            offset += len(self._buf)
        self._pos = offset
        return offset

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        """The map stays open for the other files viewing it; it goes with the last one."""


class MappedFile(BufferFile):
    """A Whoosh structured file over part of a memory map, copied from nowhere."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose=None) -> None:
        # Not BufferFile.__init__: it copies ``buf`` into a BytesIO.
        self._buf = buf
        self._name = name
        self.file = _View(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position: int, length: int, name: str | None = None) -> "MappedFile":
        """Part of this file, as a file of its own (a compound file's member)."""
        return MappedFile(self._buf[position : position + length], name=name or self._name)


class MappedStorage(FileStorage):
    """The index's folder for segment readers: files opened as ``MappedFile`` views of
    one map per file, shared by every reader of the process while any of them lives.

    ``supports_mmap`` is False on purpose: it tells Whoosh's compound storage not to map
    (and copy) the file itself but to take each member from the file's ``subset``."""

    supports_mmap = False

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False, readonly=True)
        self._maps: weakref.WeakValueDictionary[str, mmap.mmap] = weakref.WeakValueDictionary()
        self._maps_lock = threading.Lock()

    def open_file(self, name: str, **kwargs):
        with self._maps_lock:
            mapped = self._maps.get(name)
            if mapped is None:
                with open(self._fpath(name), "rb") as handle:
                    if os.fstat(handle.fileno()).st_size == 0:  # an empty file cannot be mapped
                        return super().open_file(name, **kwargs)
                    mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                self._maps[name] = mapped
        return MappedFile(memoryview(mapped), name=name)
