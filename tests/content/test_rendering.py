"""Rendering page previews: PDFs, decks, documents and images become WebP pages and a
thumbnail in a limited child process; hostile files end as a short reason, never as a
held worker. No database: rendering knows nothing of it."""

import io
import os
import shutil
import sys
import threading
import time
import zlib
from pathlib import Path

import docx
import pptx
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from content.files import rendering
from content.files.rendering import Rendering, render_pages
from portal.demo.pdfs import pdf_from_objects
from tests.content.helpers import image_bytes, zip_bomb_docx
from tests.factories import IN_CI, pdf_bytes, pdf_with_content

LIBREOFFICE_PACKAGES = "libreoffice-core-nogui libreoffice-impress-nogui libreoffice-writer-nogui"
# Path drawing that keeps pdfium busy for minutes: a 28 KiB file.
LOOPING_PDF_OPERATIONS = b"0 0 m 612 792 l 0 792 l h f " * 400000


def _pdf(pages: int) -> bytes:
    """A PDF of ``pages`` pages, the first with a line of text."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("Cover"))))
    for _ in range(pages - 1):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_bomb_pdf(side: int = 12000) -> bytes:
    """A small PDF whose one page draws a ``side`` x ``side`` image of Flate-packed zeros
    (144 MB unpacked at the default side)."""
    packer = zlib.compressobj(9)
    row = bytes(side)
    image = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (side, side, len(image))
        + image
        + b"\nendstream",
    ]
    return pdf_from_objects(objects)


def _render(tmp_path: Path, name: str, content: bytes, kind: str, **limits) -> Rendering:
    path = tmp_path / name
    path.write_bytes(content)
    folder = tmp_path / "work"
    folder.mkdir()
    return render_pages(path, kind, folder, **limits)


def _size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "WEBP"
        return image.size


# ---- what a good file gives -----------------------------------------------------------


def test_a_pdf_becomes_one_webp_per_page_and_a_thumbnail(tmp_path):
    result = _render(tmp_path, "three.pdf", _pdf(3), "pdf")

    assert result == Rendering("ready", 3, "")
    work = tmp_path / "work"
    assert sorted(p.name for p in work.iterdir()) == [
        "page-1.webp",
        "page-2.webp",
        "page-3.webp",
        "thumb.webp",
    ]
    # A Letter page: 1200 px wide keeps it within 1600 x 1600.
    assert _size(work / "page-1.webp") == (1200, 1553)
    assert _size(work / "thumb.webp")[0] == 320


def test_an_image_gets_one_page_within_the_bounds_and_a_thumbnail(tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), (20, 120, 200)).save(out, "JPEG")

    result = _render(tmp_path, "wide.jpg", out.getvalue(), "jpeg")

    assert result == Rendering("ready", 1, "")
    assert _size(tmp_path / "work" / "page-1.webp") == (1200, 300)
    assert _size(tmp_path / "work" / "thumb.webp") == (320, 80)


def test_a_tiny_png_is_shown_as_it_is(tmp_path):
    assert _render(tmp_path, "dot.png", image_bytes(), "png") == Rendering("ready", 1, "")
    assert _size(tmp_path / "work" / "page-1.webp") == (4, 4)


@pytest.fixture(scope="module")
def office_renderings(tmp_path_factory) -> dict[str, tuple[Rendering, Path]]:
    """One deck and one document rendered through LibreOffice, side by side (each
    conversion takes seconds: the suite converts these two and no others)."""
    if shutil.which(rendering.SOFFICE) is None:
        message = f"LibreOffice (soffice) is not installed: apt-get install {LIBREOFFICE_PACKAGES}"
        if IN_CI:
            pytest.fail(f"{message}; the CI image must have it.")
        pytest.skip(message)
    deck = pptx.Presentation()
    for number in (1, 2):
        deck.slides.add_slide(deck.slide_layouts[1]).shapes.title.text = f"Slide {number}"
    document = docx.Document()
    document.add_paragraph("Page one")
    document.add_page_break()
    document.add_paragraph("Page two")
    outcomes: dict[str, tuple[Rendering, Path]] = {}

    def convert(kind: str, save) -> None:
        root = tmp_path_factory.mktemp(kind)
        path, folder = root / f"file.{kind}", root / "work"
        folder.mkdir()
        save(str(path))
        outcomes[kind] = (render_pages(path, kind, folder), folder)

    threads = [
        threading.Thread(target=convert, args=("pptx", deck.save)),
        threading.Thread(target=convert, args=("docx", document.save)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("kind", ["pptx", "docx"])
def test_office_files_are_converted_then_rendered(office_renderings, kind):
    result, folder = office_renderings[kind]

    assert result == Rendering("ready", 2, "")
    assert {"page-1.webp", "page-2.webp", "thumb.webp"} <= {p.name for p in folder.iterdir()}
    width, height = _size(folder / "page-1.webp")
    assert width == 1200 if kind == "pptx" else height <= 1600


# ---- bad and hostile files ------------------------------------------------------------


def test_a_damaged_pdf_fails_with_a_reason(tmp_path):
    result = _render(tmp_path, "bad.pdf", b"%PDF-1.4 garbage that is not a PDF", "pdf")

    assert result == Rendering("failed", 0, "The PDF is damaged or not in a format we can read.")


def test_only_the_first_pages_up_to_the_cap_are_rendered(tmp_path):
    result = _render(tmp_path, "long.pdf", _pdf(600), "pdf", max_pages=3)

    assert result == Rendering("ready", 3, "Only the first 3 pages of 600 are shown.")
    assert not (tmp_path / "work" / "page-4.webp").exists()


def test_a_zip_bomb_is_refused_before_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(rendering.subprocess, "Popen", None)  # no child may start
    bomb = zip_bomb_docx()  # built (seconds) before the clock starts

    started = time.perf_counter()
    result = _render(tmp_path, "bomb.pptx", bomb, "pptx")

    assert time.perf_counter() - started < 0.5
    assert result == Rendering("failed", 0, "This Office file is compressed suspiciously tightly.")


def test_a_decompression_bomb_pdf_is_rendered_within_its_limits(tmp_path):
    started = time.perf_counter()
    result = _render(tmp_path, "bomb.pdf", _image_bomb_pdf(), "pdf", timeout=10)

    # pdfium draws the huge image at the page's size; whatever it does, it stays bounded.
    assert time.perf_counter() - started < 10
    assert result.status in {"ready", "failed"}


def test_a_pdf_that_keeps_the_renderer_busy_is_stopped_at_the_timeout(tmp_path):
    content = pdf_with_content(LOOPING_PDF_OPERATIONS, flate=True)

    started = time.perf_counter()
    result = _render(tmp_path, "busy.pdf", content, "pdf", timeout=0.5)

    assert time.perf_counter() - started < 2
    assert result == Rendering("failed", 0, "Making the preview took longer than 0.5 s.")


def test_a_timeout_kills_libreoffice_and_whatever_it_started(tmp_path, monkeypatch):
    # A stand-in soffice that starts a process of its own and hangs, as a stuck
    # conversion does: the timeout must end both.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pid_file = tmp_path / "grandchild.pid"
    fake = bin_dir / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 30 &\necho $! > {pid_file}\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    deck = pptx.Presentation()
    deck.slides.add_slide(deck.slide_layouts[0])
    out = io.BytesIO()
    deck.save(out)

    started = time.perf_counter()
    result = _render(tmp_path, "deck.pptx", out.getvalue(), "pptx", timeout=0.5)

    assert time.perf_counter() - started < 2
    assert result == Rendering("failed", 0, "Making the preview took longer than 0.5 s.")
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 1  # SIGKILL lands a moment after it is sent
    while _running(grandchild) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _running(grandchild)


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs: a killed process waiting for init to reap it does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in {"Z", "X"}


def test_the_child_inherits_no_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    seen = tmp_path / "environment"
    spy = f"import os, sys; open({str(seen)!r}, 'w').write(repr(dict(os.environ)))"
    monkeypatch.setattr(rendering, "_child_command", lambda *_: [sys.executable, "-c", spy])

    result = _render(tmp_path, "any.pdf", pdf_bytes(), "pdf")

    assert result == Rendering("failed", 0, rendering.UNREADABLE_NOTE)  # it printed nothing
    assert "do-not-leak" not in seen.read_text()


def test_a_child_stopped_by_the_cpu_limit_is_reported(tmp_path, monkeypatch):
    spinner = (
        "import os, resource, signal; resource.setrlimit(resource.RLIMIT_CORE, (0, 0)); "
        "os.kill(os.getpid(), signal.SIGXCPU)"
    )
    monkeypatch.setattr(rendering, "_child_command", lambda *_: [sys.executable, "-c", spinner])

    result = _render(tmp_path, "busy.pdf", pdf_bytes(), "pdf")

    assert result == Rendering("failed", 0, "Making the preview used more than 40 s of CPU.")
