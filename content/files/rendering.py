"""Rendering uploaded files' pages to images, so people can read them in the page.

Like text extraction (content.files.extraction), the work never runs in the web process:
a hostile file can make a renderer take gigabytes or loop. A child process (this module
run as ``python -m content.files.rendering <path> <kind> <folder> <max pages>``) renders
under memory and CPU limits at a lower priority, and the parent kills it after a
wall-clock timeout. Office files become a PDF first through LibreOffice, which the child
starts; the child leads a process group of its own, so a timeout kills LibreOffice's
whole process tree with it. Each conversion gets a fresh LibreOffice profile inside the
work folder, removed with it.

The child writes ``page-<n>.webp`` (about 1200 px wide, within 1600 x 1600) for each page
up to the cap and ``thumb.webp`` (320 px wide) into the work folder and prints a JSON
report; content.files.previewing copies the images to the file store. Every way rendering
can go wrong ends as a "failed" ``Rendering`` with a short reason for authors.

The child imports only the standard library, pypdfium2 and Pillow.
"""

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from content.files.extraction import (
    PACKAGE_ROOT,
    child_environment,
    limit_resources,
    office_refusal,
)

logger = logging.getLogger(__name__)

STATUSES = ("ready", "failed")
KINDS = ("pdf", "pptx", "docx", "png", "jpeg")
DEFAULT_TIMEOUT_SECONDS = 60
DEFAULT_MAX_PAGES = 200
MEMORY_LIMIT_BYTES = 1024**3
# LibreOffice maps far more address space than it uses; below about 1.5 GiB it cannot start.
OFFICE_MEMORY_LIMIT_BYTES = 2 * 1024**3
CPU_LIMIT_SECONDS = 40
PAGE_WIDTH = 1200
PAGE_BOX = 1600
THUMBNAIL_WIDTH = 320
THUMBNAIL_MAX_HEIGHT = 480
WEBP_QUALITY = 80
# Pillow refuses images above this many pixels, a decompression bomb in a PNG or JPEG.
MAX_IMAGE_PIXELS = 60_000_000
SOFFICE = "soffice"
UNREADABLE_NOTE = "The pages could not be shown."
LABELS = {
    "pdf": "PDF",
    "pptx": "PowerPoint file",
    "docx": "Word document",
    "png": "image",
    "jpeg": "image",
}


@dataclass(frozen=True)
class Rendering:
    """The outcome of rendering one file: "ready" with ``pages`` images in the work
    folder, or "failed" with a short ``note`` for authors (a ready rendering may carry one
    too, e.g. when only the first pages were rendered)."""

    status: str
    pages: int
    note: str


class _Unrenderable(Exception):
    """The file cannot be rendered for a reason worth telling the author (the message)."""


# ---- parent side --------------------------------------------------------------------------


def render_pages(
    path: Path, kind: str, folder: Path, timeout: float | None = None, max_pages: int | None = None
) -> Rendering:
    """Render the pages of a stored file of ``kind`` into ``folder`` (an empty work folder
    the caller removes afterwards) in a limited child process.

    Waits at most ``timeout`` seconds (default DEFAULT_TIMEOUT_SECONDS) for the conversion
    and the rendering together, and renders at most ``max_pages`` pages. A bad, hostile or
    slow file gives a "failed" Rendering; only a failure to start the child is raised.
    """
    if kind not in KINDS:
        return Rendering("failed", 0, "Files of this kind have no preview.")
    path, folder = path.resolve(), folder.resolve()  # the child runs elsewhere
    limit = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    pages = DEFAULT_MAX_PAGES if max_pages is None else max_pages
    if kind in {"pptx", "docx"}:
        refusal = office_refusal(path, kind)
        if refusal:
            return Rendering("failed", 0, refusal)
    environment = child_environment()
    # LibreOffice writes caches under HOME; keep them in the work folder.
    environment["HOME"] = str(folder)
    child = subprocess.Popen(  # noqa: S603 - fixed interpreter and module, no shell
        _child_command(path, kind, folder, pages),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PACKAGE_ROOT,
        env=environment,
        # Its own session and process group: LibreOffice's processes join it, and one
        # killpg ends them all.
        start_new_session=True,
    )
    try:
        stdout, stderr = child.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        logger.warning("Rendering %s (%s) timed out after %g s", path.name, kind, limit)
        return Rendering("failed", 0, f"Making the preview took longer than {limit:g} s.")
    finally:
        if child.returncode is None:  # e.g. interrupted: never leave the tree running
            _kill_group(child)
    # The child may be gone while a LibreOffice process it started lingers in its group.
    _kill_group(child, reap=False)
    return _read_child_report(child.returncode, stdout, stderr, path, kind)


def _kill_group(child: subprocess.Popen, reap: bool = True) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    if reap:
        child.communicate()


def _child_command(path: Path, kind: str, folder: Path, max_pages: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "content.files.rendering",
        str(path),
        kind,
        str(folder),
        str(max_pages),
    ]


def _read_child_report(
    returncode: int, stdout: bytes, stderr: bytes, path: Path, kind: str
) -> Rendering:
    """Turn the child's JSON (or its death) into a Rendering; trust none of it blindly."""
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        logger.warning("Rendering %s (%s) hit the CPU limit", path.name, kind)
        return Rendering(
            "failed", 0, f"Making the preview used more than {CPU_LIMIT_SECONDS} s of CPU."
        )
    try:
        report = json.loads(stdout.decode("utf-8")) if returncode == 0 else {}
    except ValueError:
        report = {}
    if not isinstance(report, dict):
        report = {}
    status, pages, note = (report.get(key) for key in ("status", "pages", "note"))
    error = (stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
    if status not in STATUSES or type(pages) is not int or pages < 0 or not isinstance(note, str):
        logger.warning(
            "Rendering %s (%s) crashed, exit code %s: %s", path.name, kind, returncode, error
        )
        return Rendering("failed", 0, UNREADABLE_NOTE)
    if status == "failed" or pages == 0:
        logger.info("Rendering %s (%s) failed: %s %s", path.name, kind, note, error)
        return Rendering("failed", 0, note[:300] or UNREADABLE_NOTE)
    return Rendering("ready", pages, note[:300])


# ---- child side ---------------------------------------------------------------------------


def _limit_office() -> None:
    """LibreOffice's limits (it runs before the child limits itself)."""
    limit_resources(OFFICE_MEMORY_LIMIT_BYTES, CPU_LIMIT_SECONDS)


def _office_to_pdf(path: Path, kind: str, folder: Path) -> Path:
    """Convert an Office file to a PDF in ``folder`` with LibreOffice, in a fresh profile."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=folder))
    out = folder / "pdf"
    command = [
        SOFFICE,
        "--headless",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(path),
    ]
    try:
        finished = subprocess.run(  # noqa: S603 - fixed program, no shell
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            preexec_fn=_limit_office,  # noqa: PLW1509 - the child process is single-threaded
            check=False,
        )
    except FileNotFoundError as exc:
        raise _Unrenderable("LibreOffice is not installed on the server.") from exc
    converted = out / f"{path.stem}.pdf"
    if finished.returncode != 0 or not converted.exists():
        sys.stderr.write(finished.stderr.decode("utf-8", "replace")[-2000:])
        raise _Unrenderable(f"The {LABELS[kind]} could not be converted for its preview.")
    return converted


def _save_page(image, folder: Path, number: int) -> None:
    from PIL import Image

    image = image.convert("RGB")
    width, height = image.size
    scale = min(PAGE_WIDTH / width, PAGE_BOX / height, PAGE_BOX / width)
    if scale < 1:
        image = image.resize(
            (max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.LANCZOS
        )
    image.save(folder / f"page-{number}.webp", "WEBP", quality=WEBP_QUALITY)
    if number == 1:
        width, height = image.size
        thumb_height = min(THUMBNAIL_MAX_HEIGHT, max(1, round(height * THUMBNAIL_WIDTH / width)))
        thumb = image.resize((THUMBNAIL_WIDTH, thumb_height), Image.Resampling.LANCZOS)
        thumb.save(folder / "thumb.webp", "WEBP", quality=WEBP_QUALITY)


def _render_pdf(path: Path, folder: Path, max_pages: int, label: str) -> tuple[int, str]:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _Unrenderable(f"The {label} is encrypted.") from exc
        raise _Unrenderable(f"The {label} is damaged or not in a format we can read.") from exc
    count = len(document)
    if count == 0:
        raise _Unrenderable(f"The {label} has no pages.")
    shown = min(count, max_pages)
    for index in range(shown):
        page = document[index]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            raise _Unrenderable(f"The {label} has a page without a size.")
        # Rendered straight at the size shown: a huge page is never drawn full size.
        scale = min(PAGE_WIDTH / width, PAGE_BOX / height, PAGE_BOX / width)
        bitmap = page.render(scale=scale)
        _save_page(bitmap.to_pil(), folder, index + 1)
        page.close()
    note = f"Only the first {shown} pages of {count} are shown." if count > shown else ""
    return shown, note


def _render_image(path: Path, folder: Path) -> tuple[int, str]:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(path) as image:
            image.draft("RGB", (PAGE_BOX, PAGE_BOX))  # JPEGs decode at a reduced size
            _save_page(image, folder, 1)
    except Image.DecompressionBombError as exc:
        raise _Unrenderable("The image has more pixels than we can show.") from exc
    return 1, ""


def _render_here(path: Path, kind: str, folder: Path, max_pages: int) -> Rendering:
    """Convert and render in this process; only the limited child process calls this."""
    label = LABELS[kind]
    try:
        if kind in {"png", "jpeg"}:
            limit_resources(MEMORY_LIMIT_BYTES, CPU_LIMIT_SECONDS)
            pages, note = _render_image(path, folder)
        else:
            if kind != "pdf":
                path = _office_to_pdf(path, kind, folder)
            limit_resources(MEMORY_LIMIT_BYTES, CPU_LIMIT_SECONDS)
            pages, note = _render_pdf(path, folder, max_pages, label)
    except _Unrenderable as exc:
        return Rendering("failed", 0, str(exc))
    except MemoryError:
        limit = f"{MEMORY_LIMIT_BYTES // 1024**3} GiB"
        return Rendering("failed", 0, f"Showing the {label} needed more than {limit} of memory.")
    except Exception:  # noqa: BLE001 - hostile bytes make renderers raise anything at all
        traceback.print_exc()
        return Rendering("failed", 0, f"The {label} is damaged or not in a format we can read.")
    return Rendering("ready", pages, note)


def main(argv: list[str]) -> int:
    """Child entry point: ``argv = [path, kind, folder, max pages]``; prints JSON."""
    path, kind, folder, max_pages = argv
    # The limits come once LibreOffice, which needs more memory, has done its part (it
    # runs under limits of its own): see _render_here.
    result = _render_here(Path(path), kind, Path(folder), max(1, int(max_pages)))
    sys.stdout.buffer.write(json.dumps(asdict(result)).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
