"""The Whoosh index's files read in place: each opened file reads like the bytes it maps,
with a position of its own."""

import io

import pytest

from search.whoosh_files import LINE_CHUNK, MappedStorage

# Lines short and long (longer than the first stretch a newline is looked for in), and
# an end without a newline.
DATA = b"header\n" + b"x" * (LINE_CHUNK * 5) + b"\n\nlast words"


def lines(file, size: int) -> list[bytes]:
    return [file.readline(size) for _ in range(6)]


@pytest.fixture
def storage(tmp_path) -> MappedStorage:
    (tmp_path / "segment.bin").write_bytes(DATA)
    return MappedStorage(str(tmp_path))


@pytest.mark.parametrize("size", [-1, 3, LINE_CHUNK + 1, len(DATA)])
def test_a_mapped_file_reads_lines_as_the_bytes_do(storage, size):
    mapped = storage.open_file("segment.bin").file

    assert lines(mapped, size) == lines(io.BytesIO(DATA), size)


def test_files_of_one_map_and_their_parts_keep_positions_of_their_own(storage):
    first, second = storage.open_file("segment.bin"), storage.open_file("segment.bin")
    first.seek(7)

    assert second.read(6) == b"header"
    assert first.read(2) == b"xx"
    part = first.subset(len(DATA) - 10, 10)
    assert (part.read(4), first.read(1)) == (b"last", b"x")
