"""Page-preview benchmark: how long rendering takes per page and how much memory it needs,
and that an upload's request does not wait for it.

It generates a 30-slide deck, a 20-page Word document and a 100-page PDF (sizes can be
changed), renders each through the same child-process path the ``files.preview`` job uses
(content.files.rendering: LibreOffice for Office files, then pypdfium2), and prints the
seconds per page and the peak memory of the processes that did it (ru_maxrss of the
children, LibreOffice included). Each file is rendered from a process of its own, so each
peak is that file's. Then it uploads each file through POST /assets/new on a fresh
SQLite app (test client, jobs held) and times the request: the target is under 300 ms,
since rendering happens after the answer.

    .venv/bin/python bench/preview_bench.py
    .venv/bin/python bench/preview_bench.py --slides 5 --doc-pages 3 --pdf-pages 10
    .venv/bin/python bench/preview_bench.py --tiny --json out.json   # a 3-page PDF only
"""

import argparse
import io
import json
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UPLOAD_TARGET_MS = 300
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway account in a temporary database
LOREM = (
    "Mid-market finance teams close the books faster when approvals, invoices and "
    "payments live in one place. "
) * 3


def make_pptx(slides: int) -> bytes:
    """A deck of ``slides`` title-and-bullets slides."""
    import pptx

    deck = pptx.Presentation()
    for number in range(1, slides + 1):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Slide {number}: why teams switch"
        body = slide.placeholders[1].text_frame
        body.text = "Payback in under six months"
        for line in ("Audited results", "Fewer manual steps", "One approval flow"):
            body.add_paragraph().text = line
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def make_docx(pages: int) -> bytes:
    """A document of ``pages`` pages: a heading and paragraphs, then a page break."""
    import docx

    document = docx.Document()
    for number in range(1, pages + 1):
        document.add_heading(f"Section {number}", level=1)
        for _ in range(4):
            document.add_paragraph(LOREM)
        if number < pages:
            document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` Letter pages, each with a few lines of text."""
    from portal.demo.pdfs import pdf_from_objects

    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for number in range(1, pages + 1):
        lines = [f"Page {number}: the state of mid-market spend"] + [LOREM[:90]] * 12
        text = "".join(
            f"BT /F1 12 Tf 72 {720 - 20 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines)
        )
        stream = text.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    return pdf_from_objects(objects)


def render_one(path: str, kind: str) -> None:
    """In a process of its own: render one file, print its figures as JSON."""
    from content.files.rendering import render_pages

    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        result = render_pages(Path(path), kind, Path(work), timeout=600, max_pages=1000)
        seconds = time.perf_counter() - started
        image_bytes = sum(p.stat().st_size for p in Path(work).glob("*.webp"))
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "status": result.status,
                "note": result.note,
                "pages": result.pages,
                "seconds": round(seconds, 3),
                "seconds_per_page": round(seconds / max(1, result.pages), 4),
                "peak_child_mib": round(peak_kib / 1024, 1),
                "image_kib": round(image_bytes / 1024, 1),
            }
        )
    )


def time_uploads(files: dict[str, tuple[str, bytes]], rounds: int) -> dict[str, dict]:
    """POST /assets/new with each file on a fresh SQLite app; the request's time."""
    from content.library.models import Stage
    from content.taxonomy.services import ensure_defaults
    from portal import create_app
    from portal.accounts.services import create_user
    from portal.kernel.extensions import db
    from portal.kernel.jobs import job_queue

    logging.disable(logging.INFO)  # the access lines would bury the figures
    with tempfile.TemporaryDirectory() as work:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-secret",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/bench.db",
                "INSTANCE_PATH": f"{work}/instance",
                "UPLOAD_FOLDER": f"{work}/uploads",
                "SEARCH_INDEX_PATH": f"{work}/search-index",
                "JOBS": "held",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
                "MAX_UPLOAD_BYTES": 50 * 1024 * 1024,
                "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
            }
        )
        with app.app_context():
            db.create_all()
            ensure_defaults()
            create_user("bench@example.com", "Bench Marketer", "marketer", PASSWORD)
            stage = db.session.scalar(db.select(Stage.id).limit(1))
            db.session.commit()
            client = app.test_client()
            client.post("/login", data={"email": "bench@example.com", "password": PASSWORD})
            figures = {}
            for kind, (name, content) in files.items():
                before = len(job_queue(app).held)
                times = []
                for round_number in range(rounds):
                    data = {
                        "title": f"Bench {kind} {round_number}",
                        "summary": "",
                        "body": "",
                        "stages": [str(stage)],
                        "file": (io.BytesIO(content), name),
                    }
                    started = time.perf_counter()
                    response = client.post("/assets/new", data=data)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 302, response.text[:500]
                asked = job_queue(app).held[before:]
                waiting = sum(1 for queued in asked if queued.name == "files.preview")
                figures[kind] = {
                    "median_ms": round(statistics.median(times), 1),
                    "max_ms": round(max(times), 1),
                    "preview_jobs_waiting": waiting,
                }
            return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slides", type=int, default=30)
    parser.add_argument("--doc-pages", type=int, default=20)
    parser.add_argument("--pdf-pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="uploads of each file to time")
    parser.add_argument("--tiny", action="store_true", help="a 3-page PDF only (no LibreOffice)")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--render-one", nargs=2, metavar=("PATH", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_one:
        render_one(*args.render_one)
        return 0
    if args.tiny:
        files = {"pdf": ("bench.pdf", make_pdf(3))}
    else:
        files = {
            "pptx": ("bench.pptx", make_pptx(args.slides)),
            "docx": ("bench.docx", make_docx(args.doc_pages)),
            "pdf": ("bench.pdf", make_pdf(args.pdf_pages)),
        }
    figures: dict = {"render": {}, "upload": {}}
    with tempfile.TemporaryDirectory() as work:
        for kind, (name, content) in files.items():
            path = Path(work) / name
            path.write_bytes(content)
            finished = subprocess.run(  # noqa: S603 - this script, with files it wrote
                [sys.executable, __file__, "--render-one", str(path), kind],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            rendered = json.loads(finished.stdout.strip().splitlines()[-1])
            rendered["file_kib"] = round(len(content) / 1024, 1)
            figures["render"][kind] = rendered
            print(
                f"render {kind:4}: {rendered['pages']:3} pages in {rendered['seconds']:6.2f} s "
                f"= {rendered['seconds_per_page']:.3f} s/page, "
                f"peak {rendered['peak_child_mib']} MiB, "
                f"{rendered['file_kib']} KiB in, {rendered['image_kib']} KiB of images "
                f"({rendered['status']}{': ' + rendered['note'] if rendered['note'] else ''})"
            )
    figures["upload"] = time_uploads(files, args.rounds)
    for kind, upload in figures["upload"].items():
        verdict = "PASS" if upload["max_ms"] < UPLOAD_TARGET_MS else "MISS"
        print(
            f"upload {kind:4}: median {upload['median_ms']} ms, max {upload['max_ms']} ms "
            f"(target < {UPLOAD_TARGET_MS} ms: {verdict}); "
            f"{upload['preview_jobs_waiting']} preview jobs waiting"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
