"""The text of a post as it leaves the portal, and what can be measured about it: length
against the channel's limit, who wrote which words, and how alike two posts are.

LinkedIn does not render Markdown, so the text a rep copies is plain: emphasis and
headings lose their marks, list items keep a bullet, and links keep their address.
"""

import difflib
import re
from html.parser import HTMLParser

import markdown as md

# Characters LinkedIn accepts in one post; the other channels have no hard limit.
CHANNEL_LIMITS = {"linkedin": 3000}
# Two posts sharing this share of their three-word runs read as the same post.
SIMILARITY_THRESHOLD = 0.7
SHINGLE = 3
# Longer bodies are attributed on their first words only, to bound the diff's cost.
ATTRIBUTION_WORDS = 20_000

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr", "div"}
_WORD = re.compile(r"\S+")
_PLAIN_WORD = re.compile(r"[\w'’-]+")


class _PlainText(HTMLParser):
    """Turns the HTML rendered from a post's Markdown into text fit to paste."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.line: list[str] = []
        self.items: list[str] = []  # lines of the list being read
        self.lists: list[list] = []  # per open list: [ordered, next number]
        self.links: list[tuple[str, int]] = []  # (href, where its text starts)
        self.pre = 0
        self.item_depth = 0

    def _take_line(self) -> str:
        text = "".join(self.line)
        self.line = []
        if self.pre:
            return text.strip("\n")
        return "\n".join(" ".join(part.split()) for part in text.split("\n")).strip("\n ")

    def _end_block(self) -> None:
        text = self._take_line()
        if self.lists:
            if text:
                self.items.append("  " * self.item_depth + text)
        elif text:
            self.blocks.append(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"ul", "ol"}:
            self._end_block()
            start = attributes.get("start") or "1"
            self.lists.append([tag == "ol", int(start) if start.isdigit() else 1])
        elif tag == "li":
            self._end_block()
            ordered, number = self.lists[-1] if self.lists else (False, 1)
            if ordered:
                self.lists[-1][1] += 1
            self.item_depth = max(0, len(self.lists) - 1)
            self.line.append(f"{number}. " if ordered else "• ")
        elif tag in _BLOCKS or tag == "tr":
            if not self.lists:
                self._end_block()
            if tag == "pre":
                self.pre += 1
        elif tag == "br":
            self.line.append("\n")
        elif tag == "a":
            self.links.append((attributes.get("href") or "", len("".join(self.line))))
        elif tag == "img" and attributes.get("alt"):
            self.line.append(attributes["alt"])
        elif tag in {"td", "th"} and self.line:
            self.line.append(" | ")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.line)[start:].strip()
            if href and href not in {label, f"mailto:{label}"}:
                self.line.append(f" ({href})")
        elif tag in {"ul", "ol"} and self.lists:
            self._end_block()
            self.lists.pop()
            if not self.lists and self.items:
                self.blocks.append("\n".join(self.items))
                self.items = []
        elif tag in _BLOCKS or tag == "tr":
            if not self.lists:
                self._end_block()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        # Outside <pre>, a newline in the source is a space; <br> makes the line breaks.
        self.line.append(data if self.pre else data.replace("\n", " "))

    def text(self) -> str:
        self._end_block()
        return "\n\n".join(self.blocks)


def plain_text(body: str | None) -> str:
    """The post's Markdown as plain text for LinkedIn: no markup, links kept as
    "label (address)", paragraphs separated by a blank line."""
    html = md.markdown(body or "", extensions=["extra", "sane_lists"], output_format="html")
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return parser.text()


def character_limit(channel: str) -> int | None:
    return CHANNEL_LIMITS.get(channel)


def character_count(body: str | None) -> int:
    """How many characters the channel receives: those of the plain text."""
    return len(plain_text(body))


def words(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


def word_authors(revisions: list[tuple[int, str]]) -> list[int]:
    """For the words of the last text, the id of the author who wrote each one.

    ``revisions`` are (author id, plain text) oldest first. A word kept from one revision
    to the next keeps its author; a word inserted or changed belongs to the revision's
    author, so the result says who wrote what the post says now.
    """
    tokens: list[str] = []
    owners: list[int] = []
    for author_id, text in revisions:
        new = words(text)[:ATTRIBUTION_WORDS]
        matcher = difflib.SequenceMatcher(a=tokens, b=new, autojunk=False)
        carried: list[int] = []
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                carried.extend(owners[a1:a2])
            else:
                carried.extend([author_id] * (b2 - b1))
        tokens, owners = new, carried
    return owners


def shingles(text: str) -> set[tuple[str, ...]]:
    """The runs of three consecutive words of ``text``, lower-cased, without punctuation
    (Markdown's underscores for emphasis included)."""
    found = (word.strip("_").lower() for word in _PLAIN_WORD.findall(text or ""))
    plain = [word for word in found if word]
    if len(plain) < SHINGLE:
        return {tuple(plain)} if plain else set()
    return {tuple(plain[i : i + SHINGLE]) for i in range(len(plain) - SHINGLE + 1)}


def similarity(first: set, second: set) -> float:
    """Jaccard similarity of two shingle sets: 1.0 for the same words in the same order."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
