"""Text extraction from uploaded files, so search can index the words inside them.

A small hostile file can drive a parser to gigabytes of memory or many seconds of CPU
(RELIABILITY.md, "Uploads"), so the parsing never runs in the web process: it runs in a
child process (this module run as ``python -m content.files.extraction <path> <kind>``) under
memory and CPU limits and at a lower CPU priority than requests, and the parent stops
waiting after a wall-clock timeout. Every way extraction can go wrong ends as an
``Extraction`` with status "failed" and a short reason for authors; it never refuses the
upload itself.

The child imports only the standard library and the one parser it needs: importing the
app (Flask, the models) would cost it more than a second.
"""

import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import traceback
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

from content.files.zips import office_zip_refusal

logger = logging.getLogger(__name__)

STATUSES = ("extracted", "empty", "failed", "skipped")
DEFAULT_TIMEOUT_SECONDS = 30
MEMORY_LIMIT_BYTES = 1024**3
CPU_LIMIT_SECONDS = 20
CHILD_NICENESS = 10
MAX_PAGES = 500
MAX_CHARS = 1_000_000
UNREADABLE_NOTE = "Text could not be read from this file."
LABELS = {"pdf": "PDF", "pptx": "PowerPoint file", "docx": "Word document"}
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
# The child parses untrusted bytes: it inherits no secrets (SECRET_KEY, DATABASE_URL).
_CHILD_ENVIRONMENT_KEYS = ("PATH", "PYTHONPATH", "LD_LIBRARY_PATH")


def child_environment() -> dict[str, str]:
    """The environment of a child process that handles untrusted bytes: what it needs to
    find programs and libraries, and no secrets."""
    return {key: os.environ[key] for key in _CHILD_ENVIRONMENT_KEYS if key in os.environ}


@dataclass(frozen=True)
class Extraction:
    """The outcome of extracting one file's text.

    ``status`` is one of STATUSES: "extracted", "empty" (readable but no text), "failed"
    or "skipped" (a kind that carries no text, such as images). ``note`` is a short reason
    for authors when the text was not (or not all) extracted, otherwise "".
    """

    status: str
    text: str
    note: str


class _Unreadable(Exception):
    """The file cannot be read for a reason worth telling the author (the message)."""


# ---- parent side --------------------------------------------------------------------------


def extract_text(path: Path, kind: str, timeout: float | None = None) -> Extraction:
    """Extract the text of a stored file of ``kind`` (as decided by content.files.uploads).

    Runs the parser in a child process and waits at most ``timeout`` seconds (default
    DEFAULT_TIMEOUT_SECONDS). A bad, hostile or slow file gives a "failed" Extraction, not
    an exception; only a failure to start the child at all (OSError) is raised.
    """
    if kind not in LABELS:
        return Extraction("skipped", "", "Images and other files without text are not searched.")
    limit = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    if kind in {"pptx", "docx"}:
        refusal = office_refusal(path, kind)
        if refusal:
            return Extraction("failed", "", refusal)
    try:
        finished = subprocess.run(  # noqa: S603 - fixed interpreter and module, no shell
            _child_command(path, kind),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=limit,
            cwd=PACKAGE_ROOT,
            env=child_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has already killed and reaped the child.
        logger.warning("Text extraction of %s (%s) timed out after %g s", path.name, kind, limit)
        return Extraction("failed", "", f"Extraction took longer than {limit:g} s.")
    return _read_child_report(finished, path, kind)


def office_refusal(path: Path, kind: str) -> str | None:
    """Refuse an oversized Office archive from its central directory, before any parsing."""
    try:
        with zipfile.ZipFile(path) as archive:
            return office_zip_refusal(archive)
    except (zipfile.BadZipFile, OSError, ValueError):
        return f"The {LABELS[kind]} is damaged or not in a format we can read."


def _child_command(path: Path, kind: str) -> list[str]:
    return [sys.executable, "-m", "content.files.extraction", str(path), kind]


def _read_child_report(finished: subprocess.CompletedProcess, path: Path, kind: str) -> Extraction:
    """Turn the child's JSON (or its death) into an Extraction; trust none of it blindly."""
    if finished.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        logger.warning("Text extraction of %s (%s) hit the CPU limit", path.name, kind)
        return Extraction("failed", "", f"Extraction used more than {CPU_LIMIT_SECONDS} s of CPU.")
    try:
        report = json.loads(finished.stdout.decode("utf-8")) if finished.returncode == 0 else {}
    except ValueError:
        report = {}
    if not isinstance(report, dict):
        report = {}
    status, text, note = (report.get(key) for key in ("status", "text", "note"))
    # The child prints the parser's traceback; its last line names the actual error.
    error = (finished.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
    if status not in STATUSES or not isinstance(text, str) or not isinstance(note, str):
        logger.warning(
            "Text extraction of %s (%s) crashed, exit code %s: %s",
            path.name,
            kind,
            finished.returncode,
            error,
        )
        return Extraction("failed", "", UNREADABLE_NOTE)
    if status == "failed":
        logger.info("Text extraction of %s (%s) failed: %s %s", path.name, kind, note, error)
    return Extraction(status, text[:MAX_CHARS], note[:300])


# ---- child side ---------------------------------------------------------------------------


def limit_resources(
    memory_bytes: int = MEMORY_LIMIT_BYTES, cpu_seconds: int = CPU_LIMIT_SECONDS
) -> None:
    """Cap this process's memory and CPU; the kernel enforces what Python cannot."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # Past the soft limit the kernel sends SIGXCPU, one second later SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # SIGXCPU dumps core by default; a hostile file must not fill the disk with cores.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Reading runs beside the web workers on the same cores: their requests come first.
    os.nice(CHILD_NICENESS)


def _pdf_pages(path: Path) -> tuple[Iterator[str], str]:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(path)
        # pypdf already tried the empty password, which opens PDFs locked only against
        # editing; asking again is how its public API tells whether that worked.
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
    except DependencyError as exc:  # AES encryption needs the optional cryptography package
        raise _Unreadable("The PDF is encrypted.") from exc
    if locked:
        raise _Unreadable("The PDF is encrypted.")
    pages = reader.pages
    texts = (page.extract_text() or "" for page in islice(pages, MAX_PAGES))
    return texts, _cap_note(len(pages), "pages")


def _pptx_slides(path: Path) -> tuple[Iterator[str], str]:
    from pptx import Presentation

    slides = Presentation(str(path)).slides
    texts = (_slide_text(slide) for slide in islice(slides, MAX_PAGES))
    return texts, _cap_note(len(slides), "slides")


def _cap_note(count: int, unit: str) -> str:
    return f"Only the first {MAX_PAGES} {unit} of {count} were read." if count > MAX_PAGES else ""


def _slide_text(slide) -> str:
    lines = [line for shape in slide.shapes for line in _shape_lines(shape)]
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        lines.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(lines)


def _shape_lines(shape) -> Iterator[str]:
    from pptx.shapes.group import GroupShape

    if isinstance(shape, GroupShape):
        for member in shape.shapes:
            yield from _shape_lines(member)
    if shape.has_text_frame:
        yield shape.text_frame.text
    if shape.has_table:
        for row in shape.table.rows:
            # A merged cell is repeated in every position it spans; index it once.
            yield " | ".join(cell.text for cell in row.cells if not cell.is_spanned)


def _docx_blocks(path: Path) -> tuple[Iterator[str], str]:
    from docx import Document

    # A Word document has no pages until it is laid out; the character cap bounds it.
    return _container_lines(Document(str(path))), ""


def _container_lines(container) -> Iterator[str]:
    """Paragraphs and table cells in reading order; tables may nest inside cells."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            yield from _table_lines(block)
        else:
            yield block.text


def _table_lines(table) -> Iterator[str]:
    # python-docx repeats a merged cell in every grid position it covers, across columns
    # and rows; its XML element (kept alive here, so identity holds) names it once.
    seen = set()
    for row in table.rows:
        for cell in row.cells:
            if cell._tc not in seen:
                seen.add(cell._tc)
                yield from _container_lines(cell)


_READERS: dict[str, Callable[[Path], tuple[Iterator[str], str]]] = {
    "pdf": _pdf_pages,
    "pptx": _pptx_slides,
    "docx": _docx_blocks,
}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """Collapse runs of spaces and blank lines, and drop characters a database refuses.

    PostgreSQL cannot store NUL, and lone surrogates cannot be encoded; PDFs produce both.
    """
    text = _CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.strip() for line in _SPACES.sub(" ", text).split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _collect(pieces: Iterable[str], max_chars: int) -> tuple[str, bool]:
    """Join normalised pieces up to ``max_chars``; stop reading once that many are in."""
    kept, size = [], 0
    for piece in pieces:
        piece = normalise(piece)
        if piece:
            kept.append(piece)
            size += len(piece) + 1
        if size > max_chars:
            return "\n".join(kept)[:max_chars].rstrip(), True
    return "\n".join(kept), False


def _extract_here(path: Path, kind: str) -> Extraction:
    """Parse the file in this process; only the limited child process calls this."""
    label = LABELS[kind]
    try:
        pieces, cap_note = _READERS[kind](path)
        text, cut = _collect(pieces, MAX_CHARS)
    except _Unreadable as exc:
        return Extraction("failed", "", str(exc))
    except MemoryError:
        limit = f"{MEMORY_LIMIT_BYTES // 1024**3} GiB"
        return Extraction("failed", "", f"Reading the {label} needed more than {limit} of memory.")
    except Exception:  # noqa: BLE001 - hostile bytes make parsers raise anything at all
        traceback.print_exc()
        return Extraction("failed", "", f"The {label} is damaged or not in a format we can read.")
    if not text:
        return Extraction("empty", "", "No text found in this file.")
    cut_note = f"The text was cut at {MAX_CHARS:,} characters." if cut else ""
    return Extraction("extracted", text, " ".join(note for note in (cap_note, cut_note) if note))


def main(argv: list[str]) -> int:
    """Child entry point: limit resources, extract ``argv = [path, kind]``, print JSON."""
    path, kind = argv
    limit_resources()
    result = _extract_here(Path(path), kind)
    sys.stdout.buffer.write(json.dumps(asdict(result), ensure_ascii=False).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
