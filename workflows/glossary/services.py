"""The shared glossary: one language for sales and marketing.

Anyone proposes a term; it is "proposed" until a sales leader and a marketing leader have
both signed its current version, and then "agreed". Any edit saves a new version, which
nobody has signed yet, so the term is proposed again; the earlier versions keep their
sign-offs as history. A leader signs for their own department only, so one person can
never agree a term for both teams.

Every change to a term first claims its row with one conditional UPDATE naming the
version it was based on. The row then stays locked until commit, so an edit and a
sign-off (or two sign-offs) on the same term take turns, and a sign-off of a version
that was replaced meanwhile is refused. Services flush, never commit.
"""

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from content.library.markdown import plain_text
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, check_text
from portal.kernel.extensions import db
from portal.kernel.models import OVERSEERS, Role, User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.permissions import can, rule
from portal.kernel.sql import rows_changed
from workflows.glossary.models import (
    ALIASES_MAX,
    DEFINITION_MAX,
    NAME_MAX,
    NOTE_MAX,
    SIDES,
    GlossarySignoff,
    GlossaryTerm,
    GlossaryTermVersion,
    name_key,
    split_aliases,
)
from workflows.requests.models import shorten

EDITORS = OVERSEERS
SHORT_DEFINITION = 160

NAME_MISSING = "Give the term a name, such as “MQL”."
NAME_TOO_LONG = f"Keep the name under {NAME_MAX} characters."
ALIASES_TOO_LONG = f"Keep the aliases under {ALIASES_MAX} characters."
DEFINITION_MISSING = "Write the definition both teams should agree on."
DEFINITION_TOO_LONG = f"Keep the definition under {DEFINITION_MAX:,} characters."
NOTE_TOO_LONG = f"Keep the note under {NOTE_MAX} characters."


def name_taken(name: str) -> str:
    return f"The glossary already has a term called “{name}”."


# ---- who may do what -------------------------------------------------------------------


@rule("view_glossary")
def _may_read(user: User, _nothing) -> bool:
    """Everyone signed in reads the glossary: it is the language both teams share."""
    return True


@rule("propose_term")
def _may_propose(user: User, _nothing) -> bool:
    return True


@rule("edit", GlossaryTerm)
def _may_edit(user: User, term: GlossaryTerm) -> bool:
    """Leaders, marketers and admins; the proposer too while nobody has agreed it."""
    if user.role in EDITORS:
        return True
    return term.status == "proposed" and term.proposer_id == user.id


@rule("sign", GlossaryTerm)
def _may_sign(user: User, _term: GlossaryTerm) -> bool:
    """Leaders of sales or marketing; which side they sign for is their department."""
    return user.role == Role.LEADER and user.department in SIDES


def get_term(user: User, term_id: int) -> GlossaryTerm:
    """The term, or NotFound (also for users who may not read the glossary)."""
    term = db.session.get(GlossaryTerm, term_id) if can(user, "view_glossary") else None
    if term is None:
        raise NotFound("No such glossary term.")
    return term


# ---- reading -----------------------------------------------------------------------------


def _link(term: GlossaryTerm) -> str:
    return f"/glossary/{term.id}"


# Shown beside search results and on asset pages on every request; it depends on the
# text alone, so each worker renders a definition's Markdown once.
@lru_cache(maxsize=512)
def short_definition(definition: str) -> str:
    """The definition as one line of plain text, cut to fit beside a term's name."""
    return shorten(plain_text(definition), SHORT_DEFINITION)


def current_version(term: GlossaryTerm) -> GlossaryTermVersion:
    return db.session.scalars(
        select(GlossaryTermVersion)
        .where(GlossaryTermVersion.term_id == term.id, GlossaryTermVersion.number == term.version)
        .options(selectinload(GlossaryTermVersion.signoffs).selectinload(GlossarySignoff.leader))
        # Another request may have signed since this session last looked.
        .execution_options(populate_existing=True)
    ).one()


def signoffs_by_side(version: GlossaryTermVersion) -> dict[str, GlossarySignoff | None]:
    """Each team's sign-off of ``version``, or None while it is waiting."""
    signed = {signoff.side: signoff for signoff in version.signoffs}
    return {side: signed.get(side) for side in SIDES}


def sign_refusal(term: GlossaryTerm, user: User) -> str | None:
    """Why ``user`` cannot sign the current version now, or None when they can."""
    if not can(user, "sign", term):
        return "Only sales and marketing leaders sign off glossary terms."
    version = current_version(term)
    return _side_refusal(version, user)


def _side_refusal(version: GlossaryTermVersion, user: User) -> str | None:
    for signoff in version.signoffs:
        if signoff.leader_id == user.id:
            return (
                f"You have already signed version {version.number} for {signoff.side}; "
                "one leader cannot sign for both teams."
            )
        if signoff.side == user.department:
            return f"Already signed for {signoff.side} by {signoff.leader.name}."
    return None


# ---- proposing, editing, signing --------------------------------------------------------


@dataclass
class TermInput:
    name: str
    aliases: str = ""
    definition: str = ""
    note: str = ""


def _cleaned(data: TermInput) -> TermInput:
    """The input tidied (spaces, alias list) or a ValidationFailed naming each bad field."""
    cleaned = TermInput(
        name=" ".join((data.name or "").split()),
        aliases=", ".join(split_aliases(data.aliases)),
        # Browsers send textareas with CRLF; an unchanged definition must compare equal.
        definition=(data.definition or "").replace("\r\n", "\n").strip(),
        note=" ".join((data.note or "").split()),
    )
    errors: dict[str, str] = {}
    check_text(errors, "name", cleaned.name, NAME_MAX, NAME_TOO_LONG, NAME_MISSING)
    check_text(errors, "aliases", cleaned.aliases, ALIASES_MAX, ALIASES_TOO_LONG)
    check_text(
        errors,
        "definition",
        cleaned.definition,
        DEFINITION_MAX,
        DEFINITION_TOO_LONG,
        DEFINITION_MISSING,
    )
    check_text(errors, "note", cleaned.note, NOTE_MAX, NOTE_TOO_LONG)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    # An alias equal to the name adds nothing.
    aliases = [a for a in split_aliases(cleaned.aliases) if name_key(a) != name_key(cleaned.name)]
    cleaned.aliases = ", ".join(aliases)
    return cleaned


def _leaders_to_sign(missing: list[str]) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.role == Role.LEADER, User.department.in_(missing), User.active.is_(True)
            )
        )
    )


def _ask_for_signoffs(term: GlossaryTerm, actor: User, verb: str) -> None:
    text = f"{actor.name} {verb} “{term.name}” in the glossary: read it and sign it off"
    notify(_leaders_to_sign(list(SIDES)), "term_to_sign", text, _link(term), actor=actor)


def propose_term(user: User, data: TermInput) -> GlossaryTerm:
    """Add a term as proposed (version 1) and ask the leaders of both teams to sign it.

    A name already in the glossary, in any case, is a ValidationFailed, also when two
    people propose it at the same moment (the database refuses the second).
    """
    if not can(user, "propose_term"):
        raise PermissionDenied("Your account cannot propose glossary terms.")
    data = _cleaned(data)
    term = GlossaryTerm(
        name=data.name,
        name_key=name_key(data.name),
        aliases=data.aliases,
        definition=data.definition,
        status="proposed",
        version=1,
        proposer=user,
    )
    try:
        with db.session.begin_nested():
            db.session.add(term)
    except IntegrityError:
        raise ValidationFailed(name_taken(data.name), {"name": name_taken(data.name)}) from None
    _add_version(term, user, data, 1)
    _ask_for_signoffs(term, user, "proposed")
    return term


def _add_version(term: GlossaryTerm, user: User, data: TermInput, number: int) -> None:
    db.session.add(
        GlossaryTermVersion(
            term_id=term.id,
            number=number,
            name=data.name,
            aliases=data.aliases,
            definition=data.definition,
            editor=user,
            note=data.note,
        )
    )
    db.session.flush()


def _stale(term: GlossaryTerm, based_on: int, doing: str) -> Conflict:
    db.session.refresh(term)
    return Conflict(
        f"The term changed while you were reading it: version {term.version} is current, "
        f"you {doing} version {based_on}. Read the new definition first, then try again.",
        allowed=[],
    )


def edit_term(term: GlossaryTerm, user: User, based_on: int, data: TermInput):
    """Save a new version of ``term`` from ``data``; the term is proposed again and the
    leaders are asked to sign the new version. Returns the new version, or None when
    nothing changed (no version is made then).

    ``based_on`` is the version the editor started from; if someone saved a newer one
    meanwhile the edit is refused (Conflict) rather than overwriting it.
    """
    if not can(user, "edit", term):
        raise PermissionDenied(
            "Leaders, marketers and admins edit glossary terms; "
            "the proposer can edit it until it is agreed."
        )
    data = _cleaned(data)
    if based_on != term.version:
        raise _stale(term, based_on, "edited")
    if (data.name, data.aliases, data.definition) == (term.name, term.aliases, term.definition):
        return None
    number = based_on + 1
    try:
        with db.session.begin_nested():
            claimed = rows_changed(
                update(GlossaryTerm)
                .where(GlossaryTerm.id == term.id, GlossaryTerm.version == based_on)
                .values(
                    name=data.name,
                    name_key=name_key(data.name),
                    aliases=data.aliases,
                    definition=data.definition,
                    status="proposed",
                    version=number,
                    agreed_at=None,
                    updated_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        raise ValidationFailed(name_taken(data.name), {"name": name_taken(data.name)}) from None
    if claimed != 1:
        raise _stale(term, based_on, "edited")
    db.session.refresh(term)
    _add_version(term, user, data, number)
    _ask_for_signoffs(term, user, "changed")
    return current_version(term)


def sign(term: GlossaryTerm, leader, version_number: int) -> GlossarySignoff:
    """Sign ``version_number`` of the term for the leader's team.

    Refused when the leader may not sign (PermissionDenied), when the version is no longer
    the current one, when their team has signed already or when they signed for the other
    team (Conflict). When both teams have signed the term is agreed and the proposer and
    the signers are told.
    """
    if not can(leader, "sign", term):
        raise PermissionDenied("Only sales and marketing leaders sign off glossary terms.")
    if version_number != term.version:
        raise _stale(term, version_number, "signed")
    claimed = rows_changed(
        update(GlossaryTerm)
        .where(GlossaryTerm.id == term.id, GlossaryTerm.version == version_number)
        .values(version=GlossaryTerm.version)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise _stale(term, version_number, "signed")
    db.session.refresh(term)
    version = current_version(term)
    refusal = _side_refusal(version, leader)
    if refusal:
        raise Conflict(refusal, allowed=[])
    signoff = GlossarySignoff(version_id=version.id, side=leader.department, leader=leader)
    try:
        with db.session.begin_nested():
            db.session.add(signoff)
    except IntegrityError:
        # Only reachable if the row claim did not serialise the two sign-offs.
        db.session.expire(version)
        raise Conflict(_side_refusal(current_version(term), leader) or "Already signed.") from None
    db.session.refresh(version)
    if all(signoffs_by_side(version).values()):
        _agree(term, version, leader)
    return signoff


def _agree(term: GlossaryTerm, version: GlossaryTermVersion, last_signer) -> None:
    term.status = "agreed"
    term.agreed_at = utcnow()
    db.session.flush()
    signers = [signoff.leader for signoff in version.signoffs]
    names = " and ".join(f"{s.leader.name} ({s.side})" for s in version.signoffs)
    notify(
        [term.proposer, *signers],
        "term_agreed",
        f"“{term.name}” is agreed, signed by {names}",
        _link(term),
        actor=last_signer,
    )
