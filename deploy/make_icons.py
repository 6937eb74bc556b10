"""Draw the favicon and app icons into static/icons/ (run from the project root).

    python deploy/make_icons.py

The icons are committed; run this again only to change them. The mark is a white "T" on
the accent blue (#2c6e9b, static/tandem.css), drawn as two rectangles so no font is
needed; static/icons/icon.svg draws the same shape for browsers that take an SVG icon.
"""

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = (44, 110, 155, 255)
WHITE = (255, 255, 255, 255)
ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
# Size in pixels -> file. The 512 and 192 are the web app manifest's; 180 is what iOS
# asks for under apple-touch-icon; 32 is the tab's icon.
SIZES = {32: "icon-32.png", 180: "apple-touch-icon.png", 192: "icon-192.png", 512: "icon-512.png"}


def draw(size: int, rounded: bool = True) -> Image.Image:
    """The mark at ``size`` pixels, on a 64-unit grid like icon.svg's viewBox.

    iOS rounds the corners of an apple-touch-icon itself and fills transparency with
    black, so that one is square (``rounded`` False)."""
    scale = size / 64
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    box = (0, 0, size - 1, size - 1)
    if rounded:
        pen.rounded_rectangle(box, radius=round(12 * scale), fill=ACCENT)
    else:
        pen.rectangle(box, fill=ACCENT)

    def rect(x: float, y: float, width: float, height: float) -> None:
        pen.rectangle(
            (round(x * scale), round(y * scale), round((x + width) * scale) - 1,
             round((y + height) * scale) - 1),
            fill=WHITE,
        )  # fmt: skip

    rect(14, 14, 36, 9)  # the bar
    rect(27.5, 14, 9, 36)  # the stem
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for size, name in SIZES.items():
        draw(size, rounded=size != 180).save(ICONS / name, optimize=True)
    # One .ico holding 16, 32 and 48 px, for clients that ask for /favicon.ico.
    draw(48).save(ICONS / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
