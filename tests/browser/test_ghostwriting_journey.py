"""Ghost-written posts, as the marketer and the rep click through them: drafting in the
rep's voice, the rep's edit and request for changes, a second round, approval, copying
the final text and marking it published; the live character count, the rep's voice
profile beside the editor, and the warning before sending another rep's words."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.kernel.extensions import db
from tests.browser.helpers import open_nav
from tests.factories import SQLITE_ONLY, make_user
from workflows.posts import services as posts
from workflows.posts.models import GhostPost

pytestmark = [pytest.mark.browser, SQLITE_ONLY]

TITLE = "Closing the month in three days"
OPENING = "Last Friday a finance lead told me her team lost a week to receipts every month."
MIDDLE = "This month they closed in three days, with **no** heroics."
LINK = "The [retail case study](https://fernhill.example/retail) has the numbers."
REP_MIDDLE = "This month they closed in three days because card spend is coded when it happens."
REVISED_LINK = "The [retail case study](https://fernhill.example/retail) has every number."
PUBLISHED_URL = "https://www.linkedin.com/posts/riley-rep_close-7"
# The rep rewrote 9 of the 39 words LinkedIn receives ("days," onwards in the middle).
EDIT_SHARE = "Riley Rep wrote 23% of the current text (9 of 39 words)."


def flash(page: Page):
    return page.get_by_role("status").first


def error(page: Page):
    return page.get_by_role("alert").first


def saved_post(rep) -> GhostPost:
    """The one post for ``rep``, as the live server committed it."""
    db.session.rollback()
    return db.session.scalars(select(GhostPost).where(GhostPost.rep_id == rep.id)).one()


def body(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def open_draft_form(page: Page, rep) -> None:
    """From the Posts page, the marketer starts a draft for ``rep``."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Posts").click()
    page.get_by_role("button", name="Draft a post").click()
    page.get_by_label("Who is the post for?").select_option(label=f"{rep.name} ({rep.email})")
    page.get_by_role("button", name="Show their voice profile").click()
    expect(page.get_by_label("Rep of record")).to_have_value(rep.email)


def draft_for(page: Page, rep, title: str, text: str) -> None:
    """The marketer drafts a LinkedIn post for ``rep`` and saves it."""
    open_draft_form(page, rep)
    expect(page.get_by_label("Channel")).to_have_value("linkedin")
    page.get_by_label("Working title").fill(title)
    page.get_by_label("Post (Markdown)").fill(text)
    page.get_by_role("button", name="Save draft").click()
    expect(flash(page)).to_contain_text(f"Draft saved for {rep.name}")


def send(page: Page) -> None:
    page.get_by_role("button", name="Send to the rep").click()


def test_a_post_goes_from_draft_to_published_with_the_reps_edit(page_signed_in, users):
    marketer, rep = users["marketer"], users["rep"]

    writer = page_signed_in(marketer, "/library")
    draft_for(writer, rep, TITLE, body(OPENING, MIDDLE, LINK))
    send(writer)
    expect(flash(writer)).to_have_text(f"Sent to {rep.name}. They have been told.")
    post_path = re.sub(r"^https?://[^/]+", "", writer.url)

    # The rep finds it waiting, rewrites the middle paragraph and asks for a change.
    reader = page_signed_in(rep, "/library")
    reader.get_by_role("navigation", name="Main").get_by_role("link", name="Posts").click()
    expect(reader.get_by_role("heading", name="Posts for me to review")).to_be_visible()
    reader.get_by_role("link", name=TITLE).click()
    reader.get_by_label("Post (Markdown)").fill(body(OPENING, REP_MIDDLE, LINK))
    reader.get_by_role("button", name="Save my changes").click()
    expect(flash(reader)).to_have_text("Saved as revision 2.")
    changes = reader.get_by_role("region", name=f"What {rep.name} changed").get_by_label(
        f"Changes by {rep.name}"
    )
    expect(changes.locator("ins")).to_have_text("days because card spend is coded when it happens.")
    expect(changes.locator("del")).to_have_text("days, with **no** heroics.")
    expect(reader.get_by_text(EDIT_SHARE)).to_be_visible()
    reader.get_by_label("What should change?").fill("Say every number, not just the numbers.")
    reader.get_by_role("button", name="Request changes").click()
    expect(flash(reader)).to_contain_text("Changes requested")

    # The marketer revises the last paragraph and sends it again.
    writer.goto(post_path)
    expect(writer.get_by_text("Say every number, not just the numbers.").first).to_be_visible()
    writer.get_by_role("button", name="Edit the draft").click()
    writer.get_by_label("Post (Markdown)").fill(body(OPENING, REP_MIDDLE, REVISED_LINK))
    writer.get_by_role("button", name="Save revision").click()
    expect(flash(writer)).to_have_text("Saved as revision 3.")
    send(writer)
    expect(flash(writer)).to_contain_text("Sent to")

    # The rep approves, copies the final text and records where it was published.
    reader.goto(post_path)
    reader.get_by_role("button", name="Approve").click()
    expect(flash(reader)).to_contain_text("Approved.")
    final = (
        f"{OPENING}\n\n{REP_MIDDLE}\n\n"
        "The retail case study (https://fernhill.example/retail) has every number."
    )
    expect(reader.get_by_role("textbox", name="Final text")).to_have_value(final)
    reader.context.grant_permissions(["clipboard-read", "clipboard-write"])
    # The clipboard takes writes only from the focused page, as the rep's would be; with the
    # writer's page open in the same browser, focus it first.
    reader.bring_to_front()
    reader.get_by_role("button", name="Copy text").click()
    expect(reader.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert reader.evaluate("navigator.clipboard.readText()") == final

    reader.get_by_label("Published at (URL)").fill("ftp://files.example/post")
    reader.get_by_role("button", name="Mark published").click()
    expect(error(reader)).to_have_text("That is not a web address; paste the post's https:// link.")
    expect(reader.get_by_role("link", name=PUBLISHED_URL)).to_have_count(0)
    reader.get_by_label("Published at (URL)").fill(PUBLISHED_URL)
    reader.get_by_role("button", name="Mark published").click()
    expect(flash(reader)).to_have_text("Marked published. Well done.")
    expect(reader.get_by_role("link", name=PUBLISHED_URL)).to_be_visible()
    # The marketer's second round leaves the rep's edit and share as the page shows them.
    expect(changes.locator("ins")).to_have_text("days because card spend is coded when it happens.")
    expect(reader.get_by_text(EDIT_SHARE)).to_be_visible()
    published = saved_post(rep)
    assert (published.status, published.published_url) == ("published", PUBLISHED_URL)
    assert (published.rounds, published.rep_word_count, published.word_count) == (2, 9, 39)


def test_the_count_follows_typing_and_an_over_long_post_is_not_sent(page_signed_in, users):
    writer = page_signed_in(users["marketer"], "/posts/new?rep=rep@example.com")
    writer.get_by_label("Working title").fill("Too long")
    editor = writer.get_by_label("Post (Markdown)")
    counter = writer.locator("#post-count")

    editor.fill("**Short** and sweet")
    expect(counter).to_contain_text("15 / 3,000 characters")
    editor.fill("x" * 3005)
    expect(counter).to_contain_text("3,005 / 3,000 characters")
    expect(counter).to_contain_text("5 over the limit")
    writer.get_by_role("button", name="Save draft").click()
    expect(flash(writer)).to_contain_text("Draft saved")
    send(writer)

    expect(error(writer)).to_have_text(
        "The post has 3,005 characters; LinkedIn takes 3,000. Shorten it by 5 before sending it."
    )
    expect(writer.get_by_role("button", name="Send to the rep")).to_be_visible()
    assert saved_post(users["rep"]).status == "draft"


def test_a_reps_voice_profile_shows_beside_the_editor(page_signed_in, users):
    rep = page_signed_in(users["rep"], "/library")
    open_nav(rep, "Riley Rep").get_by_role("link", name="Your profile").click()
    rep.get_by_role("link", name="Your voice profile").click()
    rep.get_by_label("Tone notes").fill("Plain words, short sentences, one question at the end.")
    rep.get_by_label("Topics of expertise").fill("month-end close, retail")
    rep.get_by_role("button", name="Save voice profile").click()
    expect(flash(rep)).to_contain_text("Voice profile saved")

    writer = page_signed_in(users["marketer"], "/library")
    open_draft_form(writer, users["rep"])
    voice = writer.get_by_role("complementary", name=f"{users['rep'].name}’s voice")
    expect(voice).to_contain_text("Plain words, short sentences, one question at the end.")
    expect(voice.get_by_text("month-end close")).to_be_visible()


def test_sending_a_nearly_identical_post_needs_confirming(page_signed_in, users):
    marketer, rep = users["marketer"], users["rep"]
    other = make_user("rep", "sasha@example.com", "Sasha Second")
    text = body(OPENING, MIDDLE, LINK)
    posts.create_post(marketer, posts.PostInput(title="For Sasha", body=text, rep=other.email))
    db.session.commit()

    writer = page_signed_in(marketer, "/library")
    draft_for(writer, rep, TITLE, text)
    expect(
        writer.get_by_role("heading", name="Nearly identical to another rep’s post")
    ).to_be_visible()
    send(writer)
    expect(error(writer)).to_contain_text("the same as “For Sasha”")
    writer.get_by_label(re.compile("Send anyway")).check()
    send(writer)

    expect(flash(writer)).to_contain_text(f"Sent to {rep.name}")
    assert saved_post(rep).status == "with_rep"
