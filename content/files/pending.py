"""Uploads kept for a refused form, so the person need not choose the file again.

When a form with a file is refused for another field (no buyer stage chosen, a stale edit),
the file is checked as any upload is and, if it is acceptable, kept in the file store under
a generated name that starts with ``pending-`` and the time it was kept. The form carries a
token naming it, signed with the app's SECRET_KEY together with the user it was kept for,
its original name and its size: nothing is written to the database, and any host can take
the token back, since every host shares the store and the key. A token that was altered,
that is someone else's or that has expired is refused with a message saying to choose the
file again. The ``files.prune_pending`` job deletes kept files once they have expired
(``PENDING_UPLOAD_HOURS``).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from content.files.storage import file_store
from content.files.uploads import KINDS, check_upload, clean_original_name
from portal.kernel.errors import ValidationFailed
from portal.kernel.models import User, utcnow

PREFIX = "pending-"
_SALT = "tandem.pending-upload"
ALTERED = (
    "The file kept from your last try could not be verified, so nothing was saved: "
    "choose the file again."
)
NOT_FOUND = (
    "The file kept from your last try was not found, so nothing was saved: choose the file again."
)
EXPIRED = (
    "The file kept from your last try has expired, so nothing was saved: choose the file again."
)


@dataclass(frozen=True)
class PendingUpload:
    """A file kept for a refused form: its token for the form, and what the form shows."""

    token: str
    storage_name: str
    original_name: str
    size: int

    def open(self) -> BinaryIO:
        """The kept bytes; FileNotFoundError when they are gone."""
        return file_store().open(self.storage_name)


class _Signer(TimestampSigner):
    # The portal's clock, so tests can move time without touching the process's clock.
    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT, signer=_Signer)


def _max_age() -> int:
    return int(current_app.config["PENDING_UPLOAD_HOURS"]) * 3600


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"file": message})


def hold_upload(stream: BinaryIO, filename: str, owner: User) -> PendingUpload:
    """Keep an upload for ``owner``'s next try at the form; ValidationFailed (on the file
    field) when the file itself would be refused, which keeps nothing."""
    checked = check_upload(stream, filename)
    kept_at = int(utcnow().timestamp())
    extension = sorted(KINDS[checked.kind][1])[0]
    storage_name = f"{PREFIX}{kept_at}-{uuid.uuid4().hex}{extension}"
    file_store().save(storage_name, stream)
    original_name = clean_original_name(filename)
    token = str(
        _serializer().dumps(
            {"n": storage_name, "u": owner.id, "f": original_name, "s": checked.size}
        )
    )
    return PendingUpload(token, storage_name, original_name, checked.size)


def pending_upload(token: str, owner: User) -> PendingUpload:
    """The upload kept for ``owner`` under ``token``; ValidationFailed (on the file field)
    when the token was altered, is another user's, or its file has expired."""
    try:
        data = _serializer().loads(token, max_age=_max_age())
    except SignatureExpired:
        raise _refused(EXPIRED) from None
    except BadData:
        raise _refused(ALTERED) from None
    if not isinstance(data, dict):
        raise _refused(ALTERED)
    name, user_id, original, size = data.get("n"), data.get("u"), data.get("f"), data.get("s")
    if not (
        isinstance(name, str)
        and name.startswith(PREFIX)
        and isinstance(user_id, int)
        and isinstance(original, str)
        and isinstance(size, int)
    ):
        raise _refused(ALTERED)
    # Someone else's file is answered as if there were none: a token copied from another
    # person's form says nothing about their file.
    if user_id != owner.id:
        raise _refused(NOT_FOUND)
    kept = PendingUpload(token, name, original, size)
    try:
        kept.open().close()
    except FileNotFoundError:
        raise _refused(EXPIRED) from None
    return kept


def discard(kept: PendingUpload) -> None:
    """Delete a kept file once the form that kept it is saved."""
    file_store().delete(kept.storage_name)


def prune_pending(now: datetime | None = None) -> int:
    """Delete the kept files whose time is up; returns how many."""
    cutoff = (now or utcnow()).timestamp() - _max_age()
    store = file_store()
    pruned = 0
    for name in list(store.names(PREFIX)):
        kept_at = name[len(PREFIX) :].split("-", 1)[0]
        if kept_at.isdigit() and int(kept_at) < cutoff:
            store.delete(name)
            pruned += 1
    return pruned
