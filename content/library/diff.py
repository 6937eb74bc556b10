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
    """Split both texts into words and whitespace and return the changes in order.

    Neighbouring changes separated only by whitespace are shown as one change, so
    "two weeks" → "five days" reads as one replaced phrase, not two.
    """
    old_tokens = _TOKEN.findall(old or "")
    new_tokens = _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    opcodes = matcher.get_opcodes()
    chunks: list[Chunk] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush_changes() -> None:
        if deleted:
            chunks.append(Chunk("delete", "".join(deleted)))
        if inserted:
            chunks.append(Chunk("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, (op, a1, a2, b1, b2) in enumerate(opcodes):
        if op == "equal":
            text = "".join(old_tokens[a1:a2])
            between_changes = 0 < index < len(opcodes) - 1 and (deleted or inserted)
            if between_changes and not text.strip():
                deleted.append(text)
                inserted.append(text)
                continue
            flush_changes()
            chunks.append(Chunk("equal", text))
            continue
        deleted.extend(old_tokens[a1:a2])
        inserted.extend(new_tokens[b1:b2])
    flush_changes()
    return chunks


def changed(chunks: list[Chunk]) -> bool:
    return any(chunk.op != "equal" for chunk in chunks)
