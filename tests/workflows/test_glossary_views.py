"""The glossary's pages as people use them: the list and its search, proposing, a term's
page with its sign-off panel and history, signing, editing, the diff of two versions,
and the agreed terms shown on asset pages and beside library search results."""

import html
import re

import pytest
from sqlalchemy import func, select

from portal.kernel.extensions import db
from tests.factories import login, make_asset, make_user
from tests.search.helpers import index_now
from workflows.glossary.models import GlossarySignoff, GlossaryTerm, GlossaryTermVersion
from workflows.glossary.services import TermInput, edit_term, propose_term, sign

MQL = "A lead marketing judges **ready for sales**.\n\nScored 50 or more."


@pytest.fixture
def leaders(users):
    return {
        "sales": users["leader"],  # Lee Leader
        "sales2": make_user("leader", "sol@example.com", "Sol Second", department="sales"),
        "marketing": make_user(
            "leader", "mo.lead@example.com", "Mo Marketing-Lead", department="marketing"
        ),
    }


def client_of(app, user):
    return login(app.test_client(), user)


def propose(user, name="MQL", definition=MQL, aliases="") -> GlossaryTerm:
    term = propose_term(user, TermInput(name=name, aliases=aliases, definition=definition))
    db.session.commit()
    return term


def agree(term, leaders) -> GlossaryTerm:
    sign(term, leaders["sales"], term.version)
    sign(term, leaders["marketing"], term.version)
    db.session.commit()
    return term


def text_of(response) -> str:
    """The page's words, tags dropped and entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def stored(term_id: int) -> tuple[str, int]:
    db.session.expire_all()
    return db.session.execute(
        select(GlossaryTerm.status, GlossaryTerm.version).where(GlossaryTerm.id == term_id)
    ).one()


def signoffs() -> int:
    return db.session.scalar(select(func.count(GlossarySignoff.id)))


# ---- the list ----------------------------------------------------------------------------


def test_the_glossary_is_for_signed_in_people(client):
    response = client.get("/glossary")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_empty_glossary_says_what_to_do(client_as):
    page = text_of(client_as("rep").get("/glossary"))

    assert "Agreed (0)" in page
    assert "Proposed (0)" in page
    assert "No term is agreed yet." in page
    assert "propose a term" in page


def test_the_list_shows_agreed_terms_and_a_proposed_tab(app, users, leaders):
    agree(propose(users["marketer"], aliases="marketing qualified lead"), leaders)
    propose(users["rep"], name="ARR", definition="Annual recurring revenue.")
    client = client_of(app, users["rep"])

    agreed_page = text_of(client.get("/glossary"))
    proposed_page = text_of(client.get("/glossary?status=proposed"))

    assert "Agreed (1)" in agreed_page
    assert "Proposed (1)" in agreed_page
    assert "MQL (marketing qualified lead) Agreed" in agreed_page
    assert "A lead marketing judges ready for sales." in agreed_page  # short, plain text
    assert "ARR" not in agreed_page
    assert "ARR Proposed Annual recurring revenue." in proposed_page


def test_searching_the_glossary(app, users, leaders):
    agree(propose(users["marketer"], aliases="marketing qualified lead"), leaders)
    agree(propose(users["marketer"], name="SQL", definition="Sales accepted the lead."), leaders)
    client = client_of(app, users["rep"])

    by_alias = text_of(client.get("/glossary?q=qualified+lead"))
    nothing = text_of(client.get("/glossary?q=churn"))
    by_letter = text_of(client.get("/glossary?letter=S"))

    assert "1 agreed term matching “qualified lead”" in by_alias
    assert "MQL" in by_alias
    assert "SQL Agreed" not in by_alias
    assert "No agreed terms match." in nothing
    assert "SQL Agreed" in by_letter
    assert "MQL" not in by_letter.split("starting with S")[1]


def test_the_list_pages_and_survives_bad_page_numbers(app, users, leaders):
    for letter in "ABCDEFG":
        agree(propose(users["marketer"], name=f"{letter} term", definition="x"), leaders)
    client = client_of(app, users["rep"])

    second = text_of(client.get("/glossary?page=2"))
    bad = client.get("/glossary?page=zero")

    assert "Page 2 of 2" in second
    assert "F term Agreed" in second
    assert "A term Agreed" not in second
    assert bad.status_code == 200
    assert "Page must be a whole number" in text_of(bad)


# ---- proposing ---------------------------------------------------------------------------


def test_anyone_proposes_a_term(app, users, leaders):
    client = client_of(app, users["rep"])
    assert client.get("/glossary/new").status_code == 200

    response = client.form(
        "/glossary/new",
        {"name": " SQL ", "aliases": "SQLs, sales qualified lead", "definition": "Sales took it."},
        follow_redirects=True,
    )

    page = text_of(response)
    term = db.session.scalar(select(GlossaryTerm))
    assert (term.name, term.aliases, term.status) == (
        "SQL",
        "SQLs, sales qualified lead",
        "proposed",
    )
    assert response.request.path == f"/glossary/{term.id}"
    assert "“SQL” is proposed. The sales and marketing leaders are asked to sign it off." in page
    assert "Proposed" in page
    assert "Also: SQLs, sales qualified lead" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "definition": "x"}, "Give the term a name"),
        ({"name": "MQL", "definition": ""}, "Write the definition both teams should agree on."),
        ({"name": "mql", "definition": "x"}, "The glossary already has a term called “mql”."),
    ],
)
def test_a_bad_proposal_is_refused_with_a_message(app, users, data, message):
    propose(users["marketer"])
    client = client_of(app, users["rep"])

    response = client.form("/glossary/new", data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert db.session.scalar(select(func.count(GlossaryTerm.id))) == 1


# ---- a term's page and signing -----------------------------------------------------------


def test_the_term_page_renders_safe_markdown_and_the_signoff_panel(app, users, leaders):
    term = propose(users["rep"], definition="**Bold** claim <script>alert(1)</script>")

    rep_page = client_of(app, users["rep"]).get(f"/glossary/{term.id}")
    leader_page = client_of(app, leaders["sales"]).get(f"/glossary/{term.id}")

    assert "<strong>Bold</strong>" in rep_page.text
    assert "<script>" not in rep_page.text
    words = text_of(rep_page)
    assert "Sales: waiting for a sales leader" in words
    assert "Marketing: waiting for a marketing leader" in words
    assert "Version 1 (current) by Riley Rep" in words
    assert "Not signed" in words
    assert "Sign for" not in words
    assert "Edit" in words  # the proposer, while it is proposed
    assert "Sign for sales" in text_of(leader_page)


def test_the_leaders_sign_and_the_term_is_agreed(app, users, leaders):
    term = propose(users["rep"])

    first = client_of(app, leaders["sales"]).form(
        f"/glossary/{term.id}/sign", {"version": "1"}, follow_redirects=True
    )
    second = client_of(app, leaders["marketing"]).form(
        f"/glossary/{term.id}/sign", {"version": "1"}, follow_redirects=True
    )

    assert "Signed for sales. Waiting for marketing." in text_of(first)
    page = text_of(second)
    assert "Signed for marketing. “MQL” is now agreed by both teams." in page
    assert "Glossary term · Agreed" in page
    assert "Sales: signed by Lee Leader" in page
    assert "Marketing: signed by Mo Marketing-Lead" in page
    assert stored(term.id) == ("agreed", 1)


def test_a_second_sales_leader_is_told_who_signed(app, users, leaders):
    term = propose(users["rep"])
    sign(term, leaders["sales"], 1)
    db.session.commit()
    client = client_of(app, leaders["sales2"])

    page = text_of(client.get(f"/glossary/{term.id}"))
    response = client.form(f"/glossary/{term.id}/sign", {"version": "1"}, follow_redirects=True)

    assert "Sign for sales" not in page
    assert "Already signed for sales by Lee Leader." in page
    assert "Already signed for sales by Lee Leader." in text_of(response)
    assert signoffs() == 1


def test_a_signoff_of_a_replaced_version_is_refused(app, users, leaders):
    term = propose(users["rep"])
    client = client_of(app, leaders["marketing"])
    client.get(f"/glossary/{term.id}")  # the leader reads version 1 ...
    edit_term(term, users["marketer"], 1, TermInput(name="MQL", definition="Changed."))
    db.session.commit()  # ... and someone edits before they press Sign

    response = client.form(f"/glossary/{term.id}/sign", {"version": "1"}, follow_redirects=True)

    assert "Read the new definition first, then try again." in text_of(response)
    assert signoffs() == 0


@pytest.mark.parametrize("role", ["rep", "marketer", "admin"])
def test_only_leaders_may_sign(app, users, role):
    term = propose(users["marketer"])

    response = client_of(app, users[role]).form(f"/glossary/{term.id}/sign", {"version": "1"})

    assert response.status_code == 403
    assert signoffs() == 0


def test_a_sign_form_without_a_version_changes_nothing(app, users, leaders):
    term = propose(users["rep"])

    response = client_of(app, leaders["sales"]).form(
        f"/glossary/{term.id}/sign", {"version": "x"}, follow_redirects=True
    )

    assert "reload the page and sign again" in text_of(response)
    assert signoffs() == 0


@pytest.mark.parametrize("path", ["/glossary/999", "/glossary/99999999999999999999999"])
def test_an_unknown_term_is_404(client_as, path):
    assert client_as("rep").get(path).status_code == 404


# ---- editing -----------------------------------------------------------------------------


def test_an_edit_returns_the_term_to_proposed_and_shows_the_history(app, users, leaders):
    term = agree(propose(users["rep"]), leaders)
    client = client_of(app, users["marketer"])
    form = client.get(f"/glossary/{term.id}/edit")
    assert 'name="based_on" type="hidden" value="1"' in form.text
    assert "your edit returns it to proposed" in text_of(form)

    response = client.form(
        f"/glossary/{term.id}/edit",
        {"name": "MQL", "definition": "Scored 50 or more.", "note": "Add the score",
         "based_on": "1"},
        follow_redirects=True,
    )  # fmt: skip

    page = text_of(response)
    assert "Saved as version 2." in page
    assert "Glossary term · Proposed · Version 2" in page
    assert "Version 2 (current) by Morgan Marketer" in page
    assert "Add the score" in page
    assert "Signed by Lee Leader (sales" in page  # version 1's sign-offs stay
    assert "Changes from version 1" in page
    assert stored(term.id) == ("proposed", 2)


def test_an_edit_that_changes_nothing_says_so(app, users, leaders):
    term = agree(propose(users["rep"]), leaders)

    response = client_of(app, users["marketer"]).form(
        f"/glossary/{term.id}/edit",
        {"name": "MQL", "definition": MQL.replace("\n", "\r\n"), "based_on": "1"},
        follow_redirects=True,
    )

    assert "Nothing changed, so no new version was saved." in text_of(response)
    assert stored(term.id) == ("agreed", 1)


def test_an_edit_based_on_an_old_version_shows_the_current_one(app, users):
    term = propose(users["rep"])
    edit_term(term, users["admin"], 1, TermInput(name="MQL", definition="The admin's wording."))
    db.session.commit()

    response = client_of(app, users["marketer"]).form(
        f"/glossary/{term.id}/edit", {"name": "MQL", "definition": "Mine.", "based_on": "1"}
    )

    assert response.status_code == 409
    page = text_of(response)
    assert "version 2 is current, you edited version 1" in page
    assert "Version 2, saved by Ada Admin" in page
    assert "The admin's wording." in page
    assert 'name="based_on" type="hidden" value="2"' in response.text
    assert "Mine." in page  # their text is kept
    assert stored(term.id) == ("proposed", 2)


def test_who_may_open_the_edit_form(app, users, leaders):
    term = propose(users["rep"])
    other_rep = make_user("rep", "other.rep@example.com", "Otto Rep")

    assert client_of(app, other_rep).get(f"/glossary/{term.id}/edit").status_code == 403
    assert client_of(app, users["rep"]).get(f"/glossary/{term.id}/edit").status_code == 200
    agree(term, leaders)
    assert client_of(app, users["rep"]).get(f"/glossary/{term.id}/edit").status_code == 403
    assert client_of(app, leaders["sales"]).get(f"/glossary/{term.id}/edit").status_code == 200


def test_the_diff_of_two_versions(app, users):
    term = propose(users["rep"], definition="Scored 40 or more.")
    edit_term(term, users["marketer"], 1, TermInput(name="MQL", definition="Scored 50 or more."))
    db.session.commit()
    client = client_of(app, users["rep"])

    response = client.get(f"/glossary/{term.id}/diff?old=1&new=2")

    assert "<del>40</del><ins>50</ins>" in response.text
    assert "Version 1 → version 2" in text_of(response)
    assert client.get(f"/glossary/{term.id}/diff?old=1&new=7").status_code == 404
    assert db.session.scalar(select(func.count(GlossaryTermVersion.id))) == 2


# ---- on asset pages and in the library search --------------------------------------------


def test_an_asset_page_lists_the_agreed_terms_it_mentions(app, users, leaders):
    agree(propose(users["marketer"]), leaders)
    propose(users["rep"], name="ARR", definition="Annual recurring revenue.")
    mentions = make_asset(users["marketer"], "Turning MQLs into pipeline", body="ARR grows.")
    silent = make_asset(users["marketer"], "Pricing one-pager", body="Nothing to define.")
    client = client_of(app, users["rep"])

    page = client.get(f"/assets/{mentions.id}")
    other = client.get(f"/assets/{silent.id}")

    words = text_of(page)
    assert "Terms used here MQL A lead marketing judges ready for sales." in words
    term = db.session.scalar(select(GlossaryTerm).where(GlossaryTerm.name == "MQL"))
    assert f'href="/glossary/{term.id}"' in page.text
    assert "ARR Annual" not in words  # proposed terms are not linked
    assert "Terms used here" not in text_of(other)


def test_library_search_shows_matching_agreed_terms(app, users, leaders):
    agree(propose(users["marketer"]), leaders)
    propose(users["rep"], name="MQL score", definition="Proposed only.")
    client = client_of(app, users["rep"])

    found = text_of(client.get("/search?q=mql"))
    missed = text_of(client.get("/search?q=pricing"))

    assert "In the glossary MQL A lead marketing judges ready for sales." in found
    assert "MQL score" not in found
    assert "In the glossary" not in missed


def test_the_search_box_shows_every_agreed_term_the_query_names(app, users, leaders):
    agree(propose(users["marketer"]), leaders)
    agree(propose(users["marketer"], name="SQL", definition="A lead sales accepted."), leaders)
    client = client_of(app, users["rep"])

    found = text_of(client.get("/search?q=MQL+SQL+definition"))

    assert "In the glossary MQL A lead marketing judges ready for sales." in found
    assert "SQL A lead sales accepted." in found


def test_library_search_finds_an_agreed_term_by_its_aliases_and_back(app, users, leaders):
    agree(propose(users["marketer"], aliases="marketing qualified lead"), leaders)
    short = make_asset(users["marketer"], "Turning an MQL into pipeline")
    long = make_asset(users["marketer"], "When is a marketing qualified lead ready?")
    index_now()
    client = client_of(app, users["rep"])

    by_name = hit_ids(client.get("/search?q=MQL").text)
    by_alias = hit_ids(client.get("/search?q=marketing+qualified+lead").text)

    assert sorted(by_name) == sorted(by_alias) == sorted([short.id, long.id])


def hit_ids(page: str) -> list[int]:
    return [
        int(n)
        for n in re.findall(r'<article class="hit">\s*<h2><a href="/search/open/(\d+)\?', page)
    ]


def test_a_term_agreed_in_this_worker_widens_searches_at_once(app, users, leaders):
    app.config["SHARED_FIGURES_SECONDS"] = 60  # agreed terms are shared between requests
    short = make_asset(users["marketer"], "Turning an MQL into pipeline")
    index_now()
    client = client_of(app, users["rep"])
    before = hit_ids(client.get("/search?q=marketing+qualified+lead").text)

    agree(propose(users["marketer"], aliases="marketing qualified lead"), leaders)
    after = hit_ids(client.get("/search?q=marketing+qualified+lead").text)

    assert (before, after) == ([], [short.id])
