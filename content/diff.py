"""Word-level differences between two revisions, for prose written by people."""

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Chunk:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[Chunk]:
    """Split both texts into words and whitespace and return the changes in order."""
    old_tokens = _TOKEN.findall(old or "")
    new_tokens = _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    chunks: list[Chunk] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            chunks.append(Chunk("equal", "".join(old_tokens[a1:a2])))
            continue
        if op in ("delete", "replace"):
            chunks.append(Chunk("delete", "".join(old_tokens[a1:a2])))
        if op in ("insert", "replace"):
            chunks.append(Chunk("insert", "".join(new_tokens[b1:b2])))
    return chunks


def changed(chunks: list[Chunk]) -> bool:
    return any(chunk.op != "equal" for chunk in chunks)
