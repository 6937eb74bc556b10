"""The pages of ghost-written posts: the queue, drafting, the post page with its buttons,
editing in place, the rep's changes, publishing, the voice profile and "My work"."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.kernel.extensions import db
from tests.factories import login, make_asset, make_user
from tests.portal.helpers import deactivate, flashes
from tests.search.helpers import index_now
from tests.workflows.post_factories import BODY, FIRST, SECOND, TITLE, draft, take, walk
from workflows.posts import services as posts
from workflows.posts.machine import allowed_actions
from workflows.posts.models import GhostPost, GhostPostRevision, today


@pytest.fixture
def browser_as(app, people):
    """``browser_as(name)``: a test client signed in as one of ``people``."""

    def signed_in(name: str):
        return login(app.test_client(), people[name])

    return signed_in


def page_text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.text))


def squashed(response) -> str:
    """The page's text with every run of whitespace as one space."""
    return " ".join(page_text(response).split())


def post_count() -> int:
    return db.session.scalar(select(func.count(GhostPost.id)))


def buttons(response) -> list[str]:
    """The workflow actions posted by the forms of a post page."""
    return re.findall(r'name="action" value="(\w+)"', response.text)


def button_labels(response) -> list[str]:
    """What the workflow buttons of a post page say."""
    return re.findall(r'class="transition-form" aria-label="([^"]+)"', response.text)


def set_due(post: GhostPost, days_from_today: int) -> None:
    """Move a post's due date, even into the past (the form refuses a past date)."""
    db.session.execute(
        GhostPost.__table__.update()
        .where(GhostPost.id == post.id)
        .values(due_on=today() + timedelta(days=days_from_today))
    )
    db.session.commit()


# ---- the queue ------------------------------------------------------------------------------


def test_a_rep_opens_on_the_posts_waiting_for_them(browser_as, people):
    waiting = walk(draft(people["writer"], people["rep"], title="Waiting for Riley"), "with_rep")
    draft(people["writer"], people["rep"], title="Still being written")
    draft(people["writer"], people["other_rep"], title="For someone else")

    response = browser_as("rep").get("/posts")

    assert response.status_code == 200
    text = page_text(response)
    assert "Posts for me to review" in text
    assert waiting.title in text
    assert "Still being written" not in text, "the default view is what waits for the rep"
    assert "For someone else" not in text
    assert "1 post" in text


def test_a_writer_sees_their_unfinished_posts_with_counts_and_overdue_flags(browser_as, people):
    writer, rep = people["writer"], people["rep"]
    set_due(draft(writer, rep, title="Late one"), -2)
    walk(draft(writer, rep, title="Done and dusted"), "published")
    draft(people["other_marketer"], rep, title="Otto's post")

    response = browser_as("writer").get("/posts")
    text = page_text(response)

    assert "Ghost-written posts" in text
    assert "Late one" in text
    assert "Overdue" in text
    assert "Done and dusted" not in text, "published posts are not unfinished"
    assert "Otto's post" not in text, "marketers see only the posts they write"
    assert re.search(r"Unfinished\s+1", text)
    assert re.search(r"Published\s+1", text)
    assert "Done and dusted" in page_text(browser_as("writer").get("/posts?status=published"))


def test_the_queue_pages_filters_and_explains_empty_results(app, browser_as, people):
    for number in range(7):
        draft(people["writer"], people["rep"], title=f"Post {number}", channel="blog")
    writer = browser_as("writer")

    first, second = writer.get("/posts"), writer.get("/posts?page=2")
    words = page_text(writer.get("/posts?q=post+3"))
    nothing = page_text(writer.get("/posts?channel=linkedin"))
    bad = writer.get("/posts?status=lost&due=someday")

    assert page_text(first).count("Post ") >= 5
    assert "Page 1 of 2" in page_text(first)
    assert "Page 2 of 2" in page_text(second)
    assert "Post 3" in words
    assert "Post 4" not in words
    assert "No posts match these filters" in nothing
    assert bad.status_code == 200
    assert any("Choose one of" in message for message in flashes(bad))


def test_the_due_filter_tells_due_soon_from_overdue(browser_as, people):
    writer, rep = people["writer"], people["rep"]
    draft(writer, rep, title="Due in two days", due_on=today() + timedelta(days=2))
    draft(writer, rep, title="Due next month", due_on=today() + timedelta(days=30))
    draft(writer, rep, title="Undated")
    set_due(draft(writer, rep, title="Due last week"), -7)
    walk(draft(writer, rep, title="Published early", due_on=today()), "published")
    client = browser_as("writer")

    soon = page_text(client.get("/posts?due=soon"))
    overdue = page_text(client.get("/posts?due=overdue"))

    assert "Due in two days" in soon
    assert "1 post" in soon
    assert "Due last week" in overdue
    assert "1 post" in overdue
    for title in ("Due next month", "Undated", "Published early"):
        assert title not in soon, title
        assert title not in overdue, title


def test_empty_queues_say_what_to_do_next(browser_as):
    assert "No posts have been drafted for you yet" in page_text(browser_as("rep").get("/posts"))
    assert "Draft the first post" in page_text(browser_as("writer").get("/posts"))


def test_sales_leaders_have_no_queue_and_marketing_leaders_see_every_post(browser_as, people):
    draft(people["writer"], people["rep"], title="Riley's post")
    draft(people["other_marketer"], people["other_rep"], title="Sasha's post")

    assert browser_as("sales_leader").get("/posts").status_code == 404
    text = page_text(browser_as("marketing_leader").get("/posts"))
    assert "Riley's post" in text
    assert "Sasha's post" in text
    for outsider in ("other_rep", "other_marketer"):
        text = page_text(browser_as(outsider).get("/posts?status=all"))
        assert "Sasha's post" in text, outsider
        assert "Riley's post" not in text, outsider
    assert "Sasha's post" not in page_text(browser_as("writer").get("/posts?status=all"))


@pytest.mark.parametrize("who", ["writer", "rep", "admin"])
def test_posts_never_appear_in_the_asset_library(browser_as, people, who):
    make_asset(people["writer"], "Wombat field guide", body="Wombats and stalled deals.")
    draft(people["writer"], people["rep"], title="Wombat forecasting secrets", body="Wombats.")
    index_now()
    client = browser_as(who)

    for path in ("/library", "/assets?status=all", "/search?q=wombat", "/search?q=wombat&all=1"):
        text = squashed(client.get(path))
        assert "Wombat field guide" in text, f"{path} lists the asset"
        assert "forecasting secrets" not in text, f"{path} must not list the post"


# ---- drafting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "sales_leader"])
def test_only_writers_open_the_draft_form(browser_as, who):
    assert browser_as(who).get("/posts/new").status_code == 403


def test_the_draft_form_shows_the_reps_voice_beside_the_editor(browser_as, people):
    rep = people["rep"]
    posts.save_voice_profile(rep, "Short sentences. No jargon.", "forecasting, CFO talks")
    walk(draft(people["writer"], rep, title="An earlier post"), "published")
    db.session.commit()

    text = page_text(browser_as("writer").get(f"/posts/new?rep={rep.email}"))

    assert f"{rep.name}’s voice" in text
    assert "Short sentences. No jargon." in text
    assert "CFO talks" in text
    assert "An earlier post" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"body": ""}, "This field is required"),
        ({"rep": ""}, "Choose a rep"),
        ({"due_on": (today() - timedelta(days=1)).isoformat()}, "The due date has passed"),
        ({"rep": "marketer@example.com"}, "Choose an active rep"),
    ],
)
def test_bad_drafts_are_refused_with_a_message_and_nothing_saved(
    browser_as, people, change, message
):
    form = {"rep": people["rep"].email, "channel": "linkedin", "title": TITLE, "body": BODY}

    response = browser_as("writer").form("/posts/new", {**form, **change})

    assert response.status_code == 422
    assert message in page_text(response)
    assert post_count() == 0


def test_a_deactivated_rep_cannot_be_given_a_post(browser_as, people):
    gone = make_user("rep", "gone@example.com", "Gone Rep")
    deactivate(gone)
    form = {"rep": gone.email, "channel": "linkedin", "title": TITLE, "body": BODY}

    response = browser_as("writer").form("/posts/new", form)

    assert response.status_code == 422
    assert "Choose an active rep" in page_text(response)
    assert post_count() == 0


def test_a_writer_drafts_a_post_and_lands_on_it(browser_as, people):
    form = {"rep": people["rep"].email, "channel": "linkedin", "title": TITLE, "body": BODY}

    response = browser_as("writer").form("/posts/new", form, follow_redirects=True)

    post = db.session.scalar(select(GhostPost))
    assert response.request.path == f"/posts/{post.id}"
    assert f"Draft saved for {people['rep'].name}" in " ".join(flashes(response))
    assert (post.title, post.status, post.ghostwriter_id) == (TITLE, "draft", people["writer"].id)


# ---- who sees a post, and which buttons -----------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "writer", "marketing_leader", "admin"])
def test_the_people_of_a_post_open_it(browser_as, people, who):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")

    response = browser_as(who).get(f"/posts/{post.id}")

    assert response.status_code == 200
    assert buttons(response) == allowed_actions(post, people[who])


@pytest.mark.parametrize("who", ["other_rep", "sales_leader", "other_marketer"])
def test_everyone_else_finds_nothing_and_changes_nothing(browser_as, people, who):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    client = browser_as(who)
    base = str(post.latest_revision_id)

    statuses = [
        client.get(f"/posts/{post.id}").status_code,
        client.get(f"/posts/{post.id}/edit").status_code,
        client.get(f"/posts/{post.id}/diff?from=1&to=1").status_code,
        client.form(f"/posts/{post.id}/transitions", {"action": "approve"}).status_code,
        client.form(f"/posts/{post.id}/comments", {"body": "Hello"}).status_code,
        client.form(
            f"/posts/{post.id}/edit", {"title": "X", "body": "Y", "base_revision": base}
        ).status_code,
    ]

    assert statuses == [404] * 6
    db.session.expire_all()
    assert (post.status, post.latest_revision.number, posts.comments(post)) == ("with_rep", 1, [])


def test_the_ghostwriter_sees_send_and_the_rep_sees_their_three_choices(browser_as, people):
    post = draft(people["writer"], people["rep"])
    assert button_labels(browser_as("writer").get(f"/posts/{post.id}")) == ["Send to the rep"]
    assert button_labels(browser_as("rep").get(f"/posts/{post.id}")) == []
    take(post, "send_to_rep")

    rep_page = browser_as("rep").get(f"/posts/{post.id}")
    assert button_labels(rep_page) == ["Approve", "Request changes", "Decline"]
    assert buttons(rep_page) == ["approve", "request_changes", "decline"]
    assert button_labels(browser_as("writer").get(f"/posts/{post.id}")) == []
    take(post, "approve")
    for who in ("rep", "writer"):
        assert button_labels(browser_as(who).get(f"/posts/{post.id}")) == ["Mark published"]


# ---- transitions through the forms --------------------------------------------------------------


def test_sending_flashes_who_was_told(browser_as, people):
    post = draft(people["writer"], people["rep"])

    response = browser_as("writer").form(
        f"/posts/{post.id}/transitions", {"action": "send_to_rep"}, follow_redirects=True
    )

    assert f"Sent to {people['rep'].name}" in " ".join(flashes(response))
    db.session.expire_all()
    assert post.status == "with_rep"


@pytest.mark.parametrize(
    ("action", "message"),
    [("request_changes", "Say what should change"), ("decline", "Say why you decline")],
)
def test_asking_for_changes_or_declining_without_words_changes_nothing(
    browser_as, people, action, message
):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")

    response = browser_as("rep").form(
        f"/posts/{post.id}/transitions", {"action": action, "comment": "  "}, follow_redirects=True
    )

    assert any(message in m for m in flashes(response))
    db.session.expire_all()
    assert post.status == "with_rep"


def test_a_bad_published_url_is_refused_and_a_good_one_publishes(browser_as, people):
    post = walk(draft(people["writer"], people["rep"]), "approved")
    rep = browser_as("rep")
    url = f"/posts/{post.id}/transitions"

    refused = rep.form(url, {"action": "mark_published", "url": "linkedin"}, follow_redirects=True)
    db.session.expire_all()
    assert any("not a web address" in m for m in flashes(refused))
    assert post.status == "approved"

    link = "https://www.linkedin.com/posts/riley_7"
    done = rep.form(url, {"action": "mark_published", "url": link}, follow_redirects=True)
    db.session.expire_all()
    assert post.status == "published"
    assert post.published_url == link
    assert link in done.text


def test_an_over_long_linkedin_post_is_not_sent(browser_as, people):
    post = draft(people["writer"], people["rep"], body="x" * 3010)

    response = browser_as("writer").form(
        f"/posts/{post.id}/transitions", {"action": "send_to_rep"}, follow_redirects=True
    )

    assert any("3,010 characters" in m and "3,000" in m for m in flashes(response))
    assert "3,010 / 3,000 characters" in squashed(response)
    db.session.expire_all()
    assert post.status == "draft"


def test_a_nearly_identical_post_is_flagged_and_sent_only_when_confirmed(browser_as, people):
    writer = people["writer"]
    draft(writer, people["other_rep"], title="Sasha's version")
    post = draft(writer, people["rep"])
    client = browser_as("writer")

    page = page_text(client.get(f"/posts/{post.id}"))
    assert "Nearly identical to another rep’s post" in page
    assert "Sasha's version" in page
    refused = client.form(
        f"/posts/{post.id}/transitions", {"action": "send_to_rep"}, follow_redirects=True
    )
    db.session.expire_all()
    assert post.status == "draft"
    assert any("100% the same" in m for m in flashes(refused))

    client.form(
        f"/posts/{post.id}/transitions", {"action": "send_to_rep", "acknowledge_similar": "1"}
    )
    db.session.expire_all()
    assert post.status == "with_rep"


# ---- editing in place, the rep's changes ---------------------------------------------------------


def test_the_rep_edits_in_place_and_the_page_shows_what_they_changed(browser_as, people):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    rep = browser_as("rep")
    assert "Save my changes" in rep.get(f"/posts/{post.id}").text
    mine = "Here is what I saw in my own pipeline last quarter."

    response = rep.form(
        f"/posts/{post.id}/edit",
        {"title": TITLE, "body": f"{mine}\n\n{SECOND}", "base_revision": post.latest_revision_id},
        follow_redirects=True,
    )

    assert "Saved as revision 2." in flashes(response)
    db.session.expire_all()
    assert post.latest_revision.author_id == people["rep"].id
    assert "<ins>" in response.text
    assert "<del>" in response.text
    assert "last quarter" in re.search(r"<ins>(.*?)</ins>", response.text).group(1)
    assert re.search(r"Riley Rep wrote \d+% of the current text", squashed(response))
    diff = rep.get(f"/posts/{post.id}/diff?from=1&to=2")
    assert diff.status_code == 200
    assert "<del>" in diff.text
    assert rep.get(f"/posts/{post.id}/diff?from=1&to=9").status_code == 404
    assert rep.get(f"/posts/{post.id}/diff?from=x&to=2").status_code == 404


def test_a_stale_save_shows_what_changed_and_keeps_the_text(browser_as, people):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    base = post.latest_revision_id
    posts.revise_post(post, people["rep"], base, TITLE, f"{FIRST}\n\nA newer second paragraph.")
    db.session.commit()

    response = browser_as("rep").form(
        f"/posts/{post.id}/edit", {"title": TITLE, "body": "My lost words", "base_revision": base}
    )

    assert response.status_code == 409
    assert "Changed since you started" in response.text
    assert "My lost words" in re.search(r"<textarea[^>]*>(.*?)</textarea>", response.text, re.S)[0]
    assert "newer" in " ".join(re.findall(r"<ins>(.*?)</ins>", response.text))
    db.session.expire_all()
    assert post.latest_revision.number == 2


def test_the_rep_cannot_edit_once_approved(browser_as, people):
    post = walk(draft(people["writer"], people["rep"]), "approved")

    response = browser_as("rep").form(
        f"/posts/{post.id}/edit",
        {"title": TITLE, "body": "Late change", "base_revision": post.latest_revision_id},
        follow_redirects=True,
    )

    assert any("approved" in m for m in flashes(response))
    assert db.session.scalar(select(func.count(GhostPostRevision.id))) == 1


def test_an_approved_post_offers_its_final_plain_text(browser_as, people):
    body = "Read **our** [case study](https://ex.io/cs).\n\n- one\n- two"
    post = walk(draft(people["writer"], people["rep"], body=body), "approved")

    for who in ("rep", "writer"):
        text = page_text(browser_as(who).get(f"/posts/{post.id}"))
        assert "Final text" in text
        assert "Copy text" in text
        assert "Read our case study (https://ex.io/cs).\n\n• one\n• two" in text


def test_comments_are_posted_and_shown(browser_as, people):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")

    response = browser_as("rep").form(
        f"/posts/{post.id}/comments", {"body": "Can we name the customer?"}, follow_redirects=True
    )
    empty = browser_as("rep").form(
        f"/posts/{post.id}/comments", {"body": " "}, follow_redirects=True
    )

    assert "Comment posted." in flashes(response)
    assert "Can we name the customer?" in page_text(response)
    assert "Write a comment before posting." in flashes(empty)
    assert len(posts.comments(post)) == 1


# ---- the live count, the voice profile, "My work" ------------------------------------------------


def test_the_editor_asks_the_server_for_the_characters_linkedin_receives(browser_as):
    client = browser_as("writer")
    body = "**Bold** and [a link](https://ex.io)"

    counted = client.post(
        "/posts/preview",
        data={"body": body, "channel": "linkedin", "csrf_token": client.csrf_token()},
    )
    no_token = client.post("/posts/preview", data={"body": body, "channel": "linkedin"})

    assert counted.json == {"characters": len("Bold and a link (https://ex.io)"), "limit": 3000}
    assert no_token.status_code == 400


def test_a_rep_keeps_their_voice_profile(browser_as, people):
    rep = browser_as("rep")

    saved = rep.form(
        "/profile/voice", {"tone": "Plain words.", "topics": "ERP, retail"}, follow_redirects=True
    )
    too_long = rep.form("/profile/voice", {"tone": "x" * 2001, "topics": "Retail"})

    assert any("Voice profile saved" in m for m in flashes(saved))
    assert "Plain words." in saved.text
    error = re.search(r'<small id="tone-error" class="field-error">(.*?)</small>', too_long.text)
    assert error
    assert "2000" in error.group(1)
    db.session.expire_all()
    profile = posts.voice_profile(people["rep"])
    assert (profile.tone, profile.topics) == ("Plain words.", "ERP, retail")


@pytest.mark.parametrize("who", ["writer", "sales_leader", "marketing_leader", "admin"])
def test_only_reps_have_a_voice_profile_page(browser_as, who):
    client = browser_as(who)

    assert client.get("/profile/voice").status_code == 404
    assert client.form("/profile/voice", {"tone": "Mine", "topics": ""}).status_code == 404


def test_my_work_lists_posts_for_the_rep_and_the_writer(browser_as, people):
    waiting = walk(draft(people["writer"], people["rep"], title="Waiting for Riley"), "with_rep")
    draft(people["writer"], make_user("rep", "pat@example.com", "Pat"), title="Pat's draft")

    rep_page = page_text(browser_as("rep").get("/my-work"))
    writer_page = page_text(browser_as("writer").get("/my-work"))

    assert "Posts for me to review" in rep_page
    assert waiting.title in rep_page
    assert "Pat's draft" not in rep_page
    assert "Posts I am ghost-writing" in writer_page
    assert waiting.title in writer_page
    assert "Pat's draft" in writer_page
