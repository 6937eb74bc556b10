"""A rep whose feedback got a reply last week opens their weekly digest, reads the
reply and goes on to the post waiting for them."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from portal.digest.weeks import last_complete_week
from portal.kernel.extensions import db
from tests.factories import POSTGRES_ONLY
from workflows.feedback.models import FieldFeedback
from workflows.posts.machine import transition as post_transition
from workflows.posts.services import PostInput, create_post

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]

REPLY = "We are writing a three-year cost comparison for exactly this."


def test_rep_reads_the_reply_and_opens_the_post_waiting(page_signed_in, users):
    rep, marketer = users["rep"], users["marketer"]
    week = last_complete_week()
    replied = datetime.combine(week.monday + timedelta(days=2), time(12), tzinfo=UTC)
    db.session.add(
        FieldFeedback(
            author=rep,
            kind="objection",
            text="Buyers say we cost more than spreadsheets",
            reply=REPLY,
            replied_at=replied,
            handled_by=marketer,
            status="acknowledged",
        )
    )
    post = create_post(
        marketer, PostInput(title="What Acme learned in a month", body="Words.", rep=rep.email)
    )
    post_transition(post, marketer, "send_to_rep")
    db.session.commit()

    page = page_signed_in(rep, "/digest")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your week, {week.title}")
    replies = page.get_by_role("region", name="Replies to your feedback")
    expect(replies).to_contain_text("Buyers say we cost more than spreadsheets")
    expect(replies).to_contain_text("Morgan Marketer replied")
    expect(replies.get_by_text(REPLY)).to_be_visible()
    waiting = page.get_by_role("region", name="Posts waiting for you")
    waiting.get_by_role("link", name="What Acme learned in a month").click()

    expect(page).to_have_url(re.compile(rf"/posts/{post.id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("What Acme learned in a month")

    page.goto("/digest")
    earlier = week.monday - timedelta(days=7)
    page.get_by_label("Week", exact=True).select_option(f"{earlier:%G-W%V}")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"week={earlier:%G-W%V}"))
    expect(page.get_by_role("region", name="Replies to your feedback")).to_have_count(0)
