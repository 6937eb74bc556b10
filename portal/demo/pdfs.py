"""PDFs written by hand from their objects, for the demo library's files.

The demo seed needs small real PDFs without a PDF library; the tests (tests/factories.py)
and the preview benchmark (bench/preview_bench.py) build theirs with the same function.
It lives here, beside its one use in the product, so neither of those imports the other
and the portal imports nothing from tests or bench.
"""


def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF 1.4 file whose objects are ``objects`` (the bodies of objects 1, 2, …, in
    that order; object 1 is the catalog), with a byte-exact cross-reference table."""
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    pdf += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(pdf)
