"""Office files are zip archives: judge one from its central directory before anything
unpacks it, so a zip bomb is refused in milliseconds (RELIABILITY.md, "Uploads").

Standard library only: the text-reading child process imports this module too.
"""

import zipfile

# Bounds for Office archives: real decks and documents stay far below these.
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_UNCOMPRESSED = 300 * 1024 * 1024
MAX_ZIP_RATIO = 200


def office_zip_refusal(archive: zipfile.ZipFile) -> str | None:
    """Why an Office archive is unsafe to unpack, judged from its central directory alone
    (entry count, declared sizes); None when it is within bounds. Nothing is decompressed."""
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if len(infos) > MAX_ZIP_ENTRIES or total > MAX_ZIP_UNCOMPRESSED:
        return "This Office file unpacks to more than we can safely read."
    if total > 10 * 1024 * 1024 and total / compressed > MAX_ZIP_RATIO:
        return "This Office file is compressed suspiciously tightly."
    return None
