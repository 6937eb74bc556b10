"""Compare a page's screenshot with a stored reference image.

``assert_matches_reference(page, name, mask=[...])`` takes a screenshot of the viewport
(animations stopped, no caret, the ``mask`` locators painted over) and compares it
with tests/browser/screenshots/<name>.png: the sizes must be equal and at most
``TOLERANCE`` of the pixels may differ by more than ``CHANNEL_THRESHOLD`` in any
colour channel (anti-aliasing and font hinting move a few pixels a little; a layout
change moves many a lot). On a mismatch the actual image and a diff are written to
``ARTIFACTS`` (TANDEM_SCREENSHOT_ARTIFACTS, or a folder under the system's temporary
folder) and the failure names them.

References change on purpose only: with TANDEM_UPDATE_SCREENSHOTS=1 the screenshot
replaces the reference instead of being compared with it (see the README's section on
testing).
"""

import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageChops
from playwright.sync_api import Locator, Page

REFERENCES = Path(__file__).parent / "screenshots"
ARTIFACTS = Path(
    os.environ.get("TANDEM_SCREENSHOT_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "tandem-screenshots"
)
CHANNEL_THRESHOLD = 32
TOLERANCE = 0.005
MASK_COLOUR = "#ff00ff"


def updating() -> bool:
    """True when references are to be rewritten rather than compared with."""
    return os.environ.get("TANDEM_UPDATE_SCREENSHOTS") == "1"


def differing_pixels(actual: Image.Image, reference: Image.Image) -> tuple[int, Image.Image]:
    """How many pixels differ by more than the threshold in some channel, and a diff
    image showing them in red on a faded copy of the reference."""
    difference = ImageChops.difference(actual.convert("RGB"), reference.convert("RGB"))
    # The largest of the three channel differences, per pixel.
    largest = ImageChops.lighter(ImageChops.lighter(*difference.split()[:2]), difference.split()[2])
    changed = largest.point(lambda value: 255 if value > CHANNEL_THRESHOLD else 0)
    count = changed.histogram()[255]
    faded = Image.blend(reference.convert("RGB"), Image.new("RGB", reference.size, "white"), 0.7)
    faded.paste(Image.new("RGB", reference.size, "red"), mask=changed)
    return count, faded


def assert_matches_reference(page: Page, name: str, mask: list[Locator] | None = None) -> None:
    """Fail unless the page's viewport looks like the stored reference ``name``."""
    shot = page.screenshot(
        animations="disabled", caret="hide", mask=mask or [], mask_color=MASK_COLOUR
    )
    reference_path = REFERENCES / f"{name}.png"
    if updating():
        REFERENCES.mkdir(exist_ok=True)
        # Quantized to a palette: a page is a few flat colours, and the reference stays
        # a fraction of the size in the repository.
        Image.open(io.BytesIO(shot)).convert("RGB").quantize(colors=256).save(
            reference_path, optimize=True
        )
        return
    assert reference_path.exists(), (
        f"No reference screenshot {reference_path}: run the test with "
        "TANDEM_UPDATE_SCREENSHOTS=1 to make one, and commit it."
    )
    actual = Image.open(io.BytesIO(shot))
    reference = Image.open(reference_path)
    problem = None
    if actual.size != reference.size:
        problem = f"the size is {actual.size}, the reference's {reference.size}"
        diff = None
    else:
        count, diff = differing_pixels(actual, reference)
        share = count / (actual.width * actual.height)
        if share > TOLERANCE:
            problem = f"{count} pixels ({share:.2%}) differ, more than {TOLERANCE:.1%}"
    if problem is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    actual.save(ARTIFACTS / f"{name}.actual.png")
    written = [ARTIFACTS / f"{name}.actual.png"]
    if diff is not None:
        diff.save(ARTIFACTS / f"{name}.diff.png")
        written.append(ARTIFACTS / f"{name}.diff.png")
    raise AssertionError(
        f"Screenshot {name} does not match {reference_path}: {problem}. See "
        f"{', '.join(map(str, written))}. If the change is intended, run with "
        "TANDEM_UPDATE_SCREENSHOTS=1 and commit the new reference."
    )
