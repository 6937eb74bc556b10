"""The glossary's sign-off rule: a term is agreed once a sales leader and a marketing
leader have signed its current version; one leader never signs for both teams; an edit
makes a new version, returns the term to proposed and keeps the history. Also: finding
agreed terms in an asset's words, the list and its search, and people acting at once."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from content.library.services import AssetInput, revise_asset
from portal.demo.data import DEMO_USERS
from portal.demo.glossary import seed_glossary
from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.notifications import Notification
from portal.kernel.permissions import can
from tests.factories import make_asset, make_user, run_together
from workflows.glossary import matching as glossary_matching
from workflows.glossary import queries as glossary_queries
from workflows.glossary import services as glossary
from workflows.glossary.models import GlossarySignoff, GlossaryTerm, GlossaryTermVersion
from workflows.glossary.queries import TermFilters
from workflows.glossary.services import TermInput, edit_term, propose_term, sign

MQL = "A lead marketing judges ready for sales: fits the ideal profile and showed intent."


@pytest.fixture
def team(users):
    """A proposer rep, a marketer, an admin, two sales leaders and a marketing leader."""
    return {
        "rep": users["rep"],
        "marketer": users["marketer"],
        "admin": users["admin"],
        "sales": users["leader"],  # Lee Leader, sales
        "sales2": make_user("leader", "sol@example.com", "Sol Second", department="sales"),
        "marketing": make_user(
            "leader", "mo.lead@example.com", "Mo Marketing-Lead", department="marketing"
        ),
    }


def propose(user, name="MQL", definition=MQL, aliases="") -> GlossaryTerm:
    term = propose_term(user, TermInput(name=name, aliases=aliases, definition=definition))
    db.session.commit()
    return term


def signed(term, leader, version=None) -> GlossarySignoff:
    signoff = sign(term, leader, term.version if version is None else version)
    db.session.commit()
    return signoff


def edited(term, user, definition, name=None, based_on=None, note=""):
    version = edit_term(
        term,
        user,
        term.version if based_on is None else based_on,
        TermInput(name=name or term.name, aliases=term.aliases, definition=definition, note=note),
    )
    db.session.commit()
    return version


def agreed(team, **kwargs) -> GlossaryTerm:
    term = propose(team["marketer"], **kwargs)
    signed(term, team["sales"])
    signed(term, team["marketing"])
    return term


def kinds_of(user, kind) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    )


def signoff_count(term) -> int:
    return db.session.scalar(
        select(func.count(GlossarySignoff.id))
        .join(GlossaryTermVersion)
        .where(GlossaryTermVersion.term_id == term.id)
    )


def stored(term_id: int) -> tuple[str, int]:
    db.session.expire_all()
    return db.session.execute(
        select(GlossaryTerm.status, GlossaryTerm.version).where(GlossaryTerm.id == term_id)
    ).one()


# ---- proposing ---------------------------------------------------------------------------


def test_a_proposed_term_is_version_one_and_asks_both_teams_leaders(team):
    term = propose(team["rep"], aliases="MQLs, marketing qualified lead, mql")

    assert (term.status, term.version, term.proposer) == ("proposed", 1, team["rep"])
    assert term.alias_list == ["MQLs", "marketing qualified lead"]  # the name is no alias
    [version] = glossary_queries.history(term)
    assert (version.number, version.name, version.definition) == (1, "MQL", MQL)
    assert version.editor == team["rep"]
    for leader in ("sales", "sales2", "marketing"):
        assert kinds_of(team[leader], "term_to_sign") == 1
    assert kinds_of(team["rep"], "term_to_sign") == 0
    assert kinds_of(team["marketer"], "term_to_sign") == 0


@pytest.mark.parametrize("name", ["mql", " MQL ", "Mql"])
def test_names_are_unique_whatever_their_case(team, name):
    propose(team["marketer"])

    with pytest.raises(ValidationFailed) as refused:
        propose(team["rep"], name=name)

    db.session.rollback()
    assert refused.value.fields == {
        "name": f"The glossary already has a term called “{name.strip()}”."
    }
    assert db.session.scalar(select(func.count(GlossaryTerm.id))) == 1


def test_the_database_itself_refuses_a_second_spelling_of_a_name(team):
    propose(team["marketer"])
    db.session.add(GlossaryTerm(name="mql", name_key="mql", definition="x", proposer=team["rep"]))

    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("name", "definition", "field"),
    [("", MQL, "name"), ("   ", MQL, "name"), ("MQL", "", "definition"),
     ("M" * 101, MQL, "name"), ("MQL", "x" * 5001, "definition")],
)  # fmt: skip
def test_a_term_needs_a_name_and_a_definition(team, name, definition, field):
    with pytest.raises(ValidationFailed) as refused:
        propose(team["rep"], name=name, definition=definition)

    db.session.rollback()
    assert set(refused.value.fields) == {field}
    assert db.session.scalar(select(func.count(GlossaryTerm.id))) == 0


# ---- the sign-off rule -------------------------------------------------------------------


@pytest.mark.parametrize("order", [("sales", "marketing"), ("marketing", "sales")])
def test_agreed_only_once_both_teams_signed(team, order):
    term = propose(team["rep"])

    signed(term, team[order[0]])
    assert stored(term.id) == ("proposed", 1)
    assert term.agreed_at is None
    signed(term, team[order[1]])

    assert stored(term.id) == ("agreed", 1)
    assert term.agreed_at is not None
    sides = glossary.signoffs_by_side(glossary.current_version(term))
    assert sides["sales"].leader == team["sales"]
    assert sides["marketing"].leader == team["marketing"]
    # The proposer and the first signer hear of it; the last signer did it.
    assert kinds_of(team["rep"], "term_agreed") == 1
    assert kinds_of(team[order[0]], "term_agreed") == 1
    assert kinds_of(team[order[1]], "term_agreed") == 0


def test_a_leader_signs_for_their_own_department(team):
    term = propose(team["rep"])

    signoff = signed(term, team["marketing"])

    assert signoff.side == "marketing"
    assert glossary.signoffs_by_side(glossary.current_version(term))["sales"] is None


def test_one_leader_cannot_sign_twice(team):
    term = propose(team["rep"])
    signed(term, team["sales"])

    with pytest.raises(Conflict, match="You have already signed version 1 for sales"):
        sign(term, team["sales"], 1)

    db.session.rollback()
    assert signoff_count(term) == 1
    assert stored(term.id) == ("proposed", 1)


def test_one_leader_cannot_sign_for_both_sides_even_after_changing_department(team):
    """A sales leader who moves to marketing still counts once: otherwise one person could
    agree a term alone."""
    term = propose(team["rep"])
    signed(term, team["sales"])
    team["sales"].department = "marketing"
    db.session.commit()

    with pytest.raises(Conflict, match="one leader cannot sign for both teams"):
        sign(term, team["sales"], 1)

    db.session.rollback()
    assert signoff_count(term) == 1
    assert stored(term.id) == ("proposed", 1)


def test_the_database_refuses_one_leader_on_both_sides(team):
    term = propose(team["rep"])
    version = glossary.current_version(term)
    db.session.add(GlossarySignoff(version_id=version.id, side="sales", leader=team["sales"]))
    db.session.add(GlossarySignoff(version_id=version.id, side="marketing", leader=team["sales"]))

    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_second_leader_of_the_same_side_is_told_who_signed(team):
    term = propose(team["rep"])
    signed(term, team["sales"])

    assert glossary.sign_refusal(term, team["sales2"]) == "Already signed for sales by Lee Leader."
    with pytest.raises(Conflict, match="Already signed for sales by Lee Leader."):
        sign(term, team["sales2"], 1)

    db.session.rollback()
    assert signoff_count(term) == 1
    assert glossary.sign_refusal(term, team["marketing"]) is None


@pytest.mark.parametrize("who", ["rep", "marketer", "admin"])
def test_only_leaders_sign(team, who):
    term = propose(team["rep"])

    assert not can(team[who], "sign", term)
    assert glossary.sign_refusal(term, team[who]) is not None
    with pytest.raises(PermissionDenied):
        sign(term, team[who], 1)

    db.session.rollback()
    assert signoff_count(term) == 0


def test_an_inactive_leader_cannot_sign(team):
    term = propose(team["rep"])
    team["sales"].active = False
    db.session.commit()

    with pytest.raises(PermissionDenied):
        sign(term, team["sales"], 1)


# ---- editing -----------------------------------------------------------------------------


def test_an_edit_returns_an_agreed_term_to_proposed_and_keeps_the_history(team):
    term = agreed(team)
    before = kinds_of(team["sales"], "term_to_sign")

    version = edited(term, team["marketer"], MQL + " Scored 50 or more.", note="Add the score")

    assert (version.number, version.note) == (2, "Add the score")
    assert stored(term.id) == ("proposed", 2)
    assert term.agreed_at is None
    assert term.definition.endswith("Scored 50 or more.")
    new, old = glossary_queries.history(term)
    assert (new.number, old.number) == (2, 1)
    assert old.definition == MQL  # the agreed text is kept ...
    assert {s.side for s in old.signoffs} == {"sales", "marketing"}  # ... with who signed it
    assert new.signoffs == []
    assert all(side is None for side in glossary.signoffs_by_side(new).values())
    assert kinds_of(team["sales"], "term_to_sign") == before + 1


def test_after_an_edit_both_teams_sign_again(team):
    term = agreed(team)
    edited(term, team["admin"], "A lead with a score of 50 or more.")

    signed(term, team["sales"])
    assert stored(term.id) == ("proposed", 2)
    signed(term, team["marketing"])

    assert stored(term.id) == ("agreed", 2)
    assert signoff_count(term) == 4


def test_signing_a_version_that_was_replaced_is_refused(team):
    """The leader read version 1; someone edited meanwhile; signing 1 must not agree 2."""
    term = propose(team["rep"])
    signed(term, team["sales"])
    edited(term, team["marketer"], "A different definition.")

    with pytest.raises(Conflict, match="Read the new definition first"):
        sign(term, team["marketing"], 1)

    db.session.rollback()
    assert stored(term.id) == ("proposed", 2)
    assert glossary.current_version(term).signoffs == []


def test_an_edit_that_changes_nothing_makes_no_version(team):
    term = agreed(team, aliases="MQLs")
    before = kinds_of(team["sales"], "term_to_sign")

    unchanged = edit_term(
        term, team["marketer"], 1, TermInput(name=" MQL ", aliases=" MQLs ,", definition=MQL + "\n")
    )
    db.session.commit()

    assert unchanged is None
    assert stored(term.id) == ("agreed", 1)
    assert len(glossary_queries.history(term)) == 1
    assert kinds_of(team["sales"], "term_to_sign") == before


def test_an_edit_based_on_an_old_version_is_refused(team):
    term = propose(team["rep"])
    edited(term, team["marketer"], "Second wording.")

    with pytest.raises(Conflict, match="version 2 is current"):
        edit_term(term, team["admin"], 1, TermInput(name="MQL", definition="Third wording."))

    db.session.rollback()
    assert stored(term.id) == ("proposed", 2)
    assert term.definition == "Second wording."


def test_renaming_to_a_taken_name_is_refused(team):
    propose(team["marketer"])
    sql = propose(team["marketer"], name="SQL", definition="Sales accepted it.")

    with pytest.raises(ValidationFailed, match="already has a term called “mql”"):
        edit_term(sql, team["marketer"], 1, TermInput(name="mql", definition="Sales accepted it."))

    db.session.rollback()
    assert stored(sql.id) == ("proposed", 1)
    assert db.session.get(GlossaryTerm, sql.id).name == "SQL"


def test_who_may_edit(team):
    term = propose(team["rep"])
    other_rep = make_user("rep", "other.rep@example.com", "Otto Rep")

    editors = {who for who in team if can(team[who], "edit", term)}
    assert editors == {"rep", "marketer", "admin", "sales", "sales2", "marketing"}
    assert not can(other_rep, "edit", term)

    signed(term, team["sales"])
    signed(term, team["marketing"])
    assert not can(team["rep"], "edit", term)  # the proposer, once it is agreed
    with pytest.raises(PermissionDenied):
        edit_term(term, team["rep"], 1, TermInput(name="MQL", definition="Mine now."))


def test_the_diff_of_two_versions(team):
    term = propose(team["rep"], definition="Scored 40 or more.")
    edited(term, team["marketer"], "Scored 50 or more.", name="MQL (marketing)")

    changes = glossary_queries.version_diff(term, 1, 2)

    assert [(c.op, c.text) for c in changes.definition if c.op != "equal"] == [
        ("delete", "40"),
        ("insert", "50"),
    ]
    assert [c.text for c in changes.name if c.op == "insert"] == [" (marketing)"]


# ---- agreed terms in an asset's words ----------------------------------------------------


@pytest.fixture
def vocabulary(team):
    """Agreed: MQL (alias "marketing qualified lead"), SQL, Qualified opportunity.
    Proposed only: ARR."""
    agreed(team, aliases="marketing qualified lead")
    agreed(team, name="SQL", definition="A lead sales accepted.")
    agreed(team, name="Qualified opportunity", definition="A deal with budget and a date.")
    propose(team["rep"], name="ARR", definition="Annual recurring revenue.")


def names(terms) -> list[str]:
    return [term.name for term in terms]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How we turn an MQL into pipeline", ["MQL"]),
        ("mql, Mql and MQL are one term", ["MQL"]),
        ("Our MQLs doubled; the SQL's owner is sales", ["MQL", "SQL"]),  # plural, possessive
        ("The MQL-to-SQL hand-off (SQL).", ["MQL", "SQL"]),  # punctuation is a boundary
        ("Each Marketing  Qualified\nLead counts", ["MQL"]),  # an alias, any spacing
        ("A qualified opportunity needs a date", ["Qualified opportunity"]),
        ("We run MySQL and SQLite; MQLX is a ticker", []),  # not whole words
        ("SQLS and sqlness", ["SQL"]),  # "SQLS" is a plural; "sqlness" is another word
        ("Our ARR grew", []),  # proposed terms are not linked
        ("", []),
    ],
)
def test_agreed_terms_are_found_as_whole_words(vocabulary, text, expected):
    assert names(glossary_matching.terms_in_text(text)) == expected


def test_nothing_is_found_without_agreed_terms(team):
    propose(team["rep"])

    assert glossary_matching.terms_in_text("MQL everywhere") == []


def test_an_assets_live_revision_is_read_title_summary_and_body(team, vocabulary):
    asset = make_asset(
        team["marketer"],
        "From MQL to revenue",
        summary="For a qualified opportunity review",
        body="## Hand-off\n\nWhen **SQL** status is reached, sales calls within a day.",
    )
    revise_asset(
        asset,
        team["marketer"],
        asset.latest_revision_id,
        AssetInput(title="Draft about ARR only", body="Nothing else", stages=list(asset.stages)),
    )
    db.session.commit()

    found = glossary_matching.terms_on_asset(asset, asset.latest_revision)

    assert names(found) == ["MQL", "Qualified opportunity", "SQL"]  # the live words, A–Z


def test_a_draft_never_published_is_read_as_shown(team, vocabulary):
    asset = make_asset(team["marketer"], "SQL checklist", body="No terms here", publish=False)

    assert names(glossary_matching.terms_on_asset(asset, asset.latest_revision)) == ["SQL"]
    assert glossary_matching.terms_on_asset(asset, None) == []


def test_an_edit_unlinks_a_term_until_it_is_agreed_again(team, vocabulary):
    term = db.session.scalar(select(GlossaryTerm).where(GlossaryTerm.name == "SQL"))
    edited(term, team["marketer"], "A lead sales accepted within two days.")

    assert names(glossary_matching.terms_in_text("MQL and SQL")) == ["MQL"]


# ---- the list and its search -------------------------------------------------------------


def test_the_list_shows_agreed_terms_a_to_z_and_counts_the_proposed(vocabulary):
    page = glossary_queries.term_list(TermFilters(), 1, 10)

    assert names(page.items) == ["MQL", "Qualified opportunity", "SQL"]
    assert glossary_queries.tab_counts(TermFilters()) == {"agreed": 3, "proposed": 1}
    assert names(glossary_queries.term_list(TermFilters(status="proposed"), 1, 10).items) == ["ARR"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("mql", ["MQL"]),
        ("Marketing Qualified", ["MQL"]),  # an alias
        ("budget", ["Qualified opportunity"]),  # the definition
        ("%", []),  # a LIKE wildcard is a character like any other
        ("_", []),
        ("nothing like it", []),
    ],
)
def test_searching_names_aliases_and_definitions(vocabulary, q, expected):
    assert names(glossary_queries.term_list(TermFilters(q=q), 1, 10).items) == expected


def test_the_list_by_first_letter_and_pages(vocabulary):
    assert names(glossary_queries.term_list(TermFilters(letter="Q"), 1, 10).items) == [
        "Qualified opportunity"
    ]
    second = glossary_queries.term_list(TermFilters(), 2, 2)
    assert (names(second.items), second.total, second.pages) == (["SQL"], 3, 2)


def test_parse_filters_falls_back_on_nonsense():
    filters = glossary_queries.parse_filters({"status": "deleted", "letter": "ab", "q": "  a   b "})

    assert (filters.status, filters.letter, filters.q) == ("agreed", "", "a b")


def test_search_matches_are_few_and_agreed(team, vocabulary):
    agreed(team, name="Lead score", definition="Points a lead earns.")
    agreed(team, name="Lead source", definition="Where a lead came from.")

    assert names(glossary_queries.search_matches("lead")) == ["Lead score", "Lead source", "MQL"]
    assert glossary_queries.search_matches("ARR") == []
    assert glossary_queries.search_matches("   ") == []


# ---- people acting at the same moment ----------------------------------------------------


def worker(app, barrier, term_id, user_id, act):
    """In its own app context and session: read the term, wait for the others, act."""

    def work():
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                term = db.session.get(GlossaryTerm, term_id)
                version = term.version
                barrier.wait(timeout=10)
                try:
                    act(term, user, version)
                except (Conflict, ValidationFailed) as refused:
                    db.session.rollback()
                    return ("refused", refused.message)
                db.session.commit()
                return ("ok", None)
            finally:
                db.session.remove()

    return work


def signing(term, user, version):
    sign(term, user, version)


def editing(term, user, version):
    edit_term(term, user, version, TermInput(name=term.name, definition=f"Edited by {user.id}"))


def assert_agreed_means_two_signoffs(term_id: int) -> None:
    status, number = stored(term_id)
    sides = db.session.scalars(
        select(GlossarySignoff.side)
        .join(GlossaryTermVersion)
        .where(GlossaryTermVersion.term_id == term_id, GlossaryTermVersion.number == number)
    ).all()
    assert (status == "agreed") == (sorted(sides) == ["marketing", "sales"]), (status, sides)


def test_two_sales_leaders_signing_at_once_make_one_signoff(app, team):
    term = propose(team["rep"])
    barrier = threading.Barrier(2)

    results = run_together(
        [worker(app, barrier, term.id, team[who].id, signing) for who in ("sales", "sales2")]
    )

    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "refused": 1}
    [message] = [message for outcome, message in results if outcome == "refused"]
    assert message.startswith("Already signed for sales by ")
    db.session.rollback()
    assert signoff_count(term) == 1
    assert stored(term.id) == ("proposed", 1)


def test_the_two_sides_signing_at_once_agree_the_term(app, team):
    """Each sign-off alone leaves the term proposed; whichever lands second must see the
    first, or the term would wait for ever."""
    term = propose(team["rep"])
    barrier = threading.Barrier(2)

    results = run_together(
        [worker(app, barrier, term.id, team[who].id, signing) for who in ("sales", "marketing")]
    )

    assert results == [("ok", None), ("ok", None)]
    assert stored(term.id) == ("agreed", 1)
    assert_agreed_means_two_signoffs(term.id)


@pytest.mark.parametrize("round_", range(3))
def test_an_edit_racing_the_last_signoff_never_leaves_an_unsigned_agreed_term(app, team, round_):
    """Either the sign-off lands first (agreed, then the edit makes it proposed again) or
    the edit does (the sign-off of the old version is refused): never an agreed term whose
    current version lacks a side."""
    term = propose(team["rep"])
    signed(term, team["sales"])
    barrier = threading.Barrier(2)

    results = run_together(
        [
            worker(app, barrier, term.id, team["marketing"].id, signing),
            worker(app, barrier, term.id, team["marketer"].id, editing),
        ]
    )

    signed_result, edit_result = results
    assert edit_result == ("ok", None)
    assert stored(term.id) == ("proposed", 2)
    if signed_result[0] == "refused":
        assert "Read the new definition first" in signed_result[1]
    assert_agreed_means_two_signoffs(term.id)


def test_two_people_proposing_one_name_at_once_make_one_term(app, team):
    barrier = threading.Barrier(2)

    def proposing(user_id, name):
        def work():
            with app.app_context():
                try:
                    user = db.session.get(User, user_id)
                    barrier.wait(timeout=10)
                    try:
                        propose_term(user, TermInput(name=name, definition=MQL))
                    except ValidationFailed as refused:
                        db.session.rollback()
                        return ("refused", refused.message)
                    db.session.commit()
                    return ("ok", None)
                finally:
                    db.session.remove()

        return work

    results = run_together(
        [proposing(team["rep"].id, "MQL"), proposing(team["marketer"].id, "mql")]
    )

    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "refused": 1}
    assert db.session.scalar(select(func.count(GlossaryTerm.id))) == 1
    assert db.session.scalar(select(func.count(GlossaryTermVersion.id))) == 1


# ---- demo data ---------------------------------------------------------------------------


def test_the_demo_glossary_is_seeded_once(app):
    demo_users = {
        email: make_user(role, email, name, department=department)
        for email, name, role, department in DEMO_USERS
    }

    first = seed_glossary(demo_users)
    db.session.commit()
    second = seed_glossary(demo_users)

    assert first == {"glossary_terms_created": 6, "glossary_signoffs_created": 12}
    assert second == {"glossary_terms_created": 0, "glossary_signoffs_created": 0}
    rows = db.session.execute(
        select(GlossaryTerm.name, GlossaryTerm.status, GlossaryTerm.version)
    ).all()
    assert sorted(rows) == [
        ("MQL", "agreed", 2),
        ("Month-end close", "proposed", 1),
        ("Qualified opportunity", "agreed", 1),
        ("ROI", "agreed", 1),
        ("SQL", "agreed", 1),
        ("T&E", "agreed", 1),
    ]
    unread = db.session.scalars(
        select(Notification.kind).where(Notification.read_at.is_(None))
    ).all()
    assert Counter(unread) == {"term_to_sign": 2}  # Dana and Sofia: the proposed term
    assert names(glossary_matching.terms_in_text("Cut T&E spend, prove the ROI")) == ["ROI", "T&E"]
