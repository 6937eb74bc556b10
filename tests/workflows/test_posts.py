"""Ghost-written posts as services: drafting, the state machine, who may see and edit a
post, the figures kept for reports, comments, the voice profile and the queue."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.notifications import Notification
from tests.factories import make_asset, make_user
from tests.workflows.post_factories import (
    BODY,
    FIRST,
    PUBLISHED_URL,
    SECOND,
    TITLE,
    draft,
    revise,
    take,
    walk,
)
from workflows.audit.models import WorkflowEvent
from workflows.posts import queue as post_queue
from workflows.posts import services as posts
from workflows.posts.machine import POST_TRANSITIONS, allowed_actions, post_history, transition
from workflows.posts.models import POST_STATUSES, GhostPost, today
from workflows.posts.queue import PostFilters
from workflows.posts.rules import visible_posts
from workflows.posts.services import PostInput

# Who may take each action on the marketer's post for Riley.
MAY = {
    "send_to_rep": ("writer", "admin"),
    "approve": ("rep",),
    "request_changes": ("rep",),
    "decline": ("rep",),
    "mark_published": ("rep", "writer"),
}
NOTICE_KIND = {
    "send_to_rep": "post_sent",
    "approve": "post_approved",
    "request_changes": "post_changes_requested",
    "decline": "post_declined",
    "mark_published": "post_published",
}
# Everyone who may see the post, and everyone who must not learn it exists.
VIEWERS = ("writer", "rep", "admin", "marketing_leader")
OUTSIDERS = ("other_rep", "sales_leader", "other_marketer")
TABLE_ACTIONS = sorted({action for _, action in POST_TRANSITIONS})
UNKNOWN_ACTIONS = ["publish", "delete", "Approve", ""]
# Who may edit the text in each state.
EDITORS = {
    "draft": ("writer", "admin"),
    "changes_requested": ("writer", "admin"),
    "with_rep": ("rep",),
    "approved": (),
    "published": (),
    "declined": (),
}


def allowed_from(state: str) -> list[str]:
    return [action for (from_state, action) in POST_TRANSITIONS if from_state == state]


def event_count(post_id: int) -> int:
    return db.session.scalar(
        select(func.count(WorkflowEvent.id)).where(
            WorkflowEvent.subject_type == "post", WorkflowEvent.subject_id == post_id
        )
    )


def notification_count() -> int:
    return db.session.scalar(select(func.count(Notification.id)))


def notifications_after(last_id: int) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(Notification.id > last_id).order_by(Notification.id)
    ).all()


def last_notification_id() -> int:
    return db.session.scalar(select(func.max(Notification.id))) or 0


def snapshot(post_id: int) -> tuple:
    """What a refused action must leave as it was, read from the database."""
    db.session.expire_all()
    post = db.session.get(GhostPost, post_id)
    return (
        post.status,
        post.latest_revision_id,
        post.rounds,
        post.sent_at,
        post.seconds_with_rep,
        post.published_url,
        post.decline_reason,
        event_count(post_id),
        len(post.revisions),
        notification_count(),
    )


def titles(rows) -> list[str]:
    return [post.title for post in rows]


def queue(user, **filters) -> list[str]:
    return titles(post_queue.post_list(user, PostFilters(**filters), 1, 50).items)


# ---- drafting -------------------------------------------------------------------------


def test_a_marketer_drafts_a_post_for_a_rep(people):
    writer, rep = people["writer"], people["rep"]
    case_study = make_asset(writer, "Acme case study")
    due = today() + timedelta(days=5)

    post = draft(
        writer,
        rep,
        body=f"{FIRST}\r\n\r\n{SECOND}\n",
        title="  Why   pipelines stall ",
        channel="blog",
        topic="  Forecasting   accuracy ",
        due_on=due,
        asset_ids=[case_study.id],
    )

    assert (post.status, post.rep, post.ghostwriter) == ("draft", rep, writer)
    assert (post.channel, post.topic, post.due_on) == ("blog", "Forecasting accuracy", due)
    assert post.assets == [case_study]
    [revision] = post.revisions
    assert (revision.number, revision.author, revision.title) == (1, writer, "Why pipelines stall")
    assert revision.body == BODY
    assert (post.rounds, post.first_sent_at, post.word_count, post.rep_word_count) == (
        0,
        None,
        len(BODY.split()),
        0,
    )
    assert post_history(post) == []


def test_a_draft_with_bad_fields_is_refused_naming_each_and_nothing_is_stored(people):
    writer, rep = people["writer"], people["rep"]
    unpublished = make_asset(writer, "Unreleased battlecard", publish=False)
    gone = make_user("rep", "gone@example.com")
    gone.active = False
    db.session.commit()
    cases = [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": " \n "}, "body"),
        ({"body": "x" * 50_001}, "body"),
        ({"rep": people["other_marketer"].email}, "rep"),
        ({"rep": gone.email}, "rep"),
        ({"rep": "nobody@example.com"}, "rep"),
        ({"channel": "twitter"}, "channel"),
        ({"topic": "x" * 121}, "topic"),
        ({"due_on": today() - timedelta(days=1)}, "due_on"),
        ({"asset_ids": [unpublished.id]}, "asset_ids"),
        ({"asset_ids": [999_999]}, "asset_ids"),
    ]
    for changes, field in cases:
        data = {"title": TITLE, "body": BODY, "rep": rep.email, **changes}
        with pytest.raises(ValidationFailed) as refused:
            posts.create_post(writer, PostInput(**data))
        db.session.rollback()
        assert field in refused.value.fields, changes

    assert db.session.scalar(select(func.count(GhostPost.id))) == 0


@pytest.mark.parametrize("who", ["rep", "sales_leader", "marketing_leader"])
def test_only_marketers_and_admins_ghost_write(people, who):
    with pytest.raises(PermissionDenied):
        posts.create_post(people[who], PostInput(title=TITLE, body=BODY, rep="rep@example.com"))


# ---- the state machine ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_state", "action", "to_state", "who"),
    [(s, a, t, who) for (s, a), t in POST_TRANSITIONS.items() for who in MAY[a]],
)
def test_each_transition_moves_the_post_records_it_and_tells_the_other_party(
    post_in, people, from_state, action, to_state, who
):
    post = post_in(from_state)
    actor = people[who]
    assert action in allowed_actions(post, actor)
    last_note = last_notification_id()

    event = take(post, action, actor)

    assert snapshot(post.id)[0] == to_state
    [*_, stored] = post_history(post)
    assert stored.id == event.id
    assert (stored.subject_type, stored.subject_id, stored.actor_id) == ("post", post.id, actor.id)
    assert (stored.action, stored.from_state, stored.to_state) == (action, from_state, to_state)
    assert stored.revision_number == post.latest_revision.number == 1
    notes = notifications_after(last_note)
    assert {note.user_id for note in notes} == {post.rep_id, post.ghostwriter_id} - {actor.id}
    for note in notes:
        assert (note.kind, note.link, note.actor_id) == (
            NOTICE_KIND[action],
            f"/posts/{post.id}",
            actor.id,
        )
        assert actor.name in note.text
        assert TITLE in note.text
        assert stored.comment in note.text


@pytest.mark.parametrize("state", POST_STATUSES)
def test_every_action_the_table_does_not_list_is_refused_and_changes_nothing(
    post_in, people, state
):
    post = post_in(state)
    actor = people["writer" if state in {"draft", "changes_requested"} else "rep"]
    allowed = allowed_from(state)
    before = snapshot(post.id)

    for action in TABLE_ACTIONS + UNKNOWN_ACTIONS:
        if (state, action) in POST_TRANSITIONS:
            continue
        with pytest.raises(Conflict) as refused:
            transition(post, actor, action, comment="Anyway.", url=PUBLISHED_URL)
        db.session.rollback()
        assert refused.value.allowed == allowed, action
        assert refused.value.message.endswith(f"Allowed now: {', '.join(allowed) or 'none'}.")

    assert snapshot(post.id) == before


@pytest.mark.parametrize(("from_state", "action"), list(POST_TRANSITIONS))
def test_the_wrong_person_is_refused_every_transition_and_an_outsider_finds_nothing(
    post_in, people, from_state, action
):
    post = post_in(from_state)
    before = snapshot(post.id)

    for who in VIEWERS:
        if who in MAY[action]:
            continue
        with pytest.raises(Conflict) as refused:
            take(post, action, people[who])
        db.session.rollback()
        assert refused.value.allowed == allowed_actions(post, people[who]), who
        assert action not in refused.value.allowed
        assert "Allowed now:" in refused.value.message
    for who in OUTSIDERS:
        with pytest.raises(NotFound):
            take(post, action, people[who])
        db.session.rollback()

    assert snapshot(post.id) == before


@pytest.mark.parametrize("action", ["request_changes", "decline"])
def test_asking_for_changes_needs_a_comment_and_declining_a_reason(post_in, action):
    post = post_in("with_rep")
    before = snapshot(post.id)

    for comment in ("", "  \n ", "x" * 1001):
        with pytest.raises(ValidationFailed) as refused:
            transition(post, post.rep, action, comment=comment)
        db.session.rollback()
        assert "comment" in refused.value.fields

    assert snapshot(post.id) == before


def test_a_post_is_not_marked_published_with_an_invalid_url(post_in):
    post = post_in("approved")
    before = snapshot(post.id)
    bad = [
        "",
        "not a url",
        "ftp://x.y",
        "javascript:alert(1)",
        "https://",
        "https://www.linkedin.com/posts/a b",
        "https://www.linkedin.com/" + "a" * 500,
    ]

    for url in bad:
        with pytest.raises(ValidationFailed) as refused:
            transition(post, post.rep, "mark_published", url=url)
        db.session.rollback()
        assert "url" in refused.value.fields, url

    assert snapshot(post.id) == before


def test_marking_published_stores_the_url_and_the_time(post_in):
    post = post_in("approved")

    take(post, "mark_published", url=f"  {PUBLISHED_URL} ")

    assert (post.status, post.published_url) == ("published", PUBLISHED_URL)
    assert abs(post.published_at - utcnow()) < timedelta(minutes=1)


# ---- LinkedIn's limit and the similar-post warning ----------------------------------------


def test_an_over_long_linkedin_post_saves_as_a_draft_but_is_not_sent(people):
    writer = people["writer"]
    post = draft(writer, people["rep"], body="*" + "x" * 3001 + "*", channel="linkedin")
    before = snapshot(post.id)

    with pytest.raises(ValidationFailed) as refused:
        transition(post, writer, "send_to_rep")
    db.session.rollback()

    assert "3,001" in refused.value.fields["body"]
    assert snapshot(post.id) == before
    assert before[0] == "draft"


@pytest.mark.parametrize(("channel", "length"), [("linkedin", 3000), ("blog", 20_000)])
def test_a_post_within_its_channels_limit_is_sent(people, channel, length):
    # The Markdown marks do not count: LinkedIn receives the plain text.
    post = draft(people["writer"], people["rep"], body="**" + "x" * length + "**", channel=channel)

    take(post, "send_to_rep", acknowledge_similar=False)

    assert post.status == "with_rep"


STORY = (
    "Most pipeline reviews fail for one reason: we ask reps what they hope will close "
    "instead of what the buyer has actually done. Last quarter we started asking for "
    "evidence, a signed mutual plan or a second meeting with finance, and forecast "
    "accuracy rose within six weeks."
)
NEAR_COPY = STORY.replace("six weeks", "eight weeks")
OTHER_STORY = (
    "Enablement content only works when reps can find it before the call. We moved our "
    "battlecards next to the opportunity record and usage tripled in a month."
)


def test_a_draft_nearly_identical_to_another_reps_post_needs_confirmation(people):
    writer = people["writer"]
    theirs = draft(writer, people["other_rep"], body=STORY, title="Evidence over hope")
    post = draft(writer, people["rep"], body=NEAR_COPY)
    before = snapshot(post.id)

    with pytest.raises(Conflict) as refused:
        transition(post, writer, "send_to_rep")
    db.session.rollback()

    assert "acknowledge_similar" in refused.value.fields
    assert "Evidence over hope" in refused.value.message
    assert people["other_rep"].name in refused.value.message
    assert snapshot(post.id) == before
    [(found, score)] = posts.similar_posts(post)
    assert found.id == theirs.id
    assert score >= 0.7

    take(post, "send_to_rep", acknowledge_similar=True)

    assert post.status == "with_rep"


def test_a_different_text_or_the_same_reps_other_post_is_not_flagged(people):
    writer, rep = people["writer"], people["rep"]
    draft(writer, people["other_rep"], body=OTHER_STORY)
    draft(writer, rep, body=STORY, title="Last month's version")
    post = draft(writer, rep, body=NEAR_COPY)

    assert posts.similar_posts(post) == []
    take(post, "send_to_rep", acknowledge_similar=False)
    assert post.status == "with_rep"


def test_a_declined_post_is_not_compared(people):
    writer = people["writer"]
    walk(draft(writer, people["other_rep"], body=STORY), "declined")
    post = draft(writer, people["rep"], body=STORY)

    take(post, "send_to_rep", acknowledge_similar=False)

    assert post.status == "with_rep"


# ---- privacy ------------------------------------------------------------------------------


def test_only_the_rep_the_writer_marketing_leaders_and_admins_see_a_post(post_in, people):
    post = post_in("with_rep", topic="Forecasting")
    everything = {"status": "all"}

    for who in VIEWERS:
        viewer = people[who]
        assert posts.get_visible_post(viewer, post.id) == post, who
        assert db.session.scalars(visible_posts(viewer)).all() == [post], who
        assert queue(viewer, **everything, q="stall") == [TITLE], who
    for who in OUTSIDERS:
        outsider = people[who]
        with pytest.raises(NotFound):
            posts.get_visible_post(outsider, post.id)
        assert db.session.scalars(visible_posts(outsider)).all() == [], who
        assert queue(outsider, **everything) == [], who
        assert queue(outsider, **everything, q="stall") == [], who
        assert post_queue.status_counts(outsider)["all"] == 0, who
        with pytest.raises(NotFound):
            posts.add_comment(post, outsider, "Hello?")
        with pytest.raises(NotFound):
            posts.revise_post(post, outsider, post.latest_revision_id, TITLE, "Mine now.")
    db.session.rollback()

    assert posts.comments(post) == []
    assert len(post.revisions) == 1


def test_an_unknown_post_is_not_found_for_anyone(people):
    with pytest.raises(NotFound):
        posts.get_visible_post(people["admin"], 12345)


# ---- editing ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", POST_STATUSES)
def test_who_may_edit_depends_on_where_the_post_is(post_in, people, state):
    post = post_in(state)

    for who in VIEWERS:
        editor = people[who]
        latest = post.latest_revision
        body = f"{latest.body}\n\nA closing line from {editor.name}."
        if who in EDITORS[state]:
            revision = revise(post, editor, body)
            assert (revision.number, revision.author_id, revision.body) == (
                latest.number + 1,
                editor.id,
                body,
            )
            continue
        with pytest.raises(PermissionDenied):
            posts.revise_post(post, editor, latest.id, latest.title, body)
        db.session.rollback()
        assert post.latest_revision_id == latest.id, who

    assert snapshot(post.id)[0] == state
    assert len(post.revisions) == 1 + len(EDITORS[state])


def test_a_save_based_on_an_older_revision_is_refused_and_nothing_is_saved(post_in, people):
    post = post_in("draft")
    first = post.latest_revision
    revise(post, people["writer"], "The ghost-writer's second take.")

    with pytest.raises(Conflict) as refused:
        posts.revise_post(post, people["admin"], first.id, "The admin's title", "Admin's take.")
    db.session.rollback()

    assert "base_revision" in refused.value.fields
    assert [revision.number for revision in post.revisions] == [1, 2]
    assert (post.title, post.body) == (TITLE, "The ghost-writer's second take.")


def test_an_unchanged_text_makes_no_revision(post_in, people):
    post = post_in("draft")

    saved = revise(post, people["writer"], f"{FIRST}\r\n\r\n{SECOND}\n", title=f"  {TITLE}  ")

    assert saved is None
    assert len(post.revisions) == 1


def test_a_save_without_a_base_revision_is_refused(post_in, people):
    post = post_in("draft")

    with pytest.raises(ValidationFailed) as refused:
        posts.revise_post(post, people["writer"], None, TITLE, "Something new.")

    assert "base_revision" in refused.value.fields


def test_only_the_writer_changes_the_details_and_a_passed_due_date_may_stay(post_in, people):
    post = post_in("with_rep", due_on=today() + timedelta(days=2))
    rep = people["rep"]
    details = PostInput(title=TITLE, body=BODY, channel="blog", due_on=post.due_on)
    with pytest.raises(PermissionDenied):
        posts.revise_post(post, rep, post.latest_revision_id, TITLE, BODY, details)
    db.session.rollback()
    take(post, "request_changes")
    yesterday = today() - timedelta(days=1)
    db.session.execute(update(GhostPost).where(GhostPost.id == post.id).values(due_on=yesterday))
    db.session.commit()
    db.session.refresh(post)
    writer = people["writer"]

    kept = PostInput(title=TITLE, body=BODY, channel="blog", topic=" Deals ", due_on=yesterday)
    assert posts.revise_post(post, writer, post.latest_revision_id, TITLE, BODY, kept) is None
    db.session.commit()
    assert (post.channel, post.topic, post.due_on) == ("blog", "Deals", yesterday)

    moved = PostInput(title=TITLE, body=BODY, channel="blog", due_on=yesterday - timedelta(1))
    with pytest.raises(ValidationFailed) as refused:
        posts.revise_post(post, writer, post.latest_revision_id, TITLE, BODY, moved)
    assert "due_on" in refused.value.fields


# ---- figures for reports -----------------------------------------------------------------


def back_in_time(post: GhostPost, **delta) -> None:
    """Pretend the post was sent to the rep ``delta`` ago."""
    post.sent_at = post.sent_at - timedelta(**delta)
    db.session.commit()


def test_the_figures_follow_a_post_through_two_rounds_with_the_rep(post_in, people):
    writer, rep = people["writer"], people["rep"]
    post = post_in("draft")
    rewrite = "In my experience champions go quiet once procurement asks questions."

    take(post, "send_to_rep")
    first_sent = post.first_sent_at
    assert (post.rounds, post.sent_revision_number) == (1, 1)
    assert abs(first_sent - utcnow()) < timedelta(minutes=1)
    back_in_time(post, hours=2)
    revise(post, rep, f"{FIRST}\n\n{rewrite}")
    assert (post.word_count, post.rep_word_count) == (len(FIRST.split()) + 10, 10)
    take(post, "request_changes")
    assert 7200 <= post.seconds_with_rep < 7260

    revise(post, writer, f"{FIRST.replace('surprising', 'uncomfortable')}\n\n{rewrite}")
    take(post, "send_to_rep")
    assert (post.rounds, post.sent_revision_number, post.first_sent_at) == (2, 3, first_sent)
    back_in_time(post, minutes=30)
    take(post, "approve")

    assert 9000 <= post.seconds_with_rep < 9060
    assert abs(post.approved_at - utcnow()) < timedelta(minutes=1)
    assert (post.word_count, post.rep_word_count) == (len(FIRST.split()) + 10, 10)
    assert post.rep_edit_share == pytest.approx(10 / post.word_count)
    rounds = posts.rep_rounds(post)
    assert [(r.sent.number, r.edited.number) for r in rounds] == [(1, 2)]
    assert (rounds[-1].sent.author, rounds[-1].edited.author) == (writer, rep)
    assert [event.revision_number for event in post_history(post)] == [1, 2, 3, 3]


def test_rep_rounds_pair_what_was_sent_with_the_reps_last_edit_in_each_round(post_in, people):
    writer, rep = people["writer"], people["rep"]
    post = post_in("with_rep")
    revise(post, rep, "The rep's first pass.")
    revise(post, rep, "The rep's second pass.")
    take(post, "request_changes")
    revise(post, writer, "The writer answers.")
    take(post, "send_to_rep")
    revise(post, rep, "The rep's final word.")

    pairs = [(r.sent.number, r.edited.number) for r in posts.rep_rounds(post)]

    assert pairs == [(1, 3), (4, 5)]
    assert post.rep_word_count == post.word_count == 4


def test_a_post_the_writer_sent_untouched_has_no_rep_rounds(post_in):
    post = post_in("approved")

    assert posts.rep_rounds(post) == []
    assert (post.rep_word_count, post.rep_edit_share) == (0, 0.0)


def test_declining_stores_the_reason_and_the_time_with_the_rep(post_in):
    post = post_in("with_rep")
    back_in_time(post, hours=1)

    take(post, "decline", comment="  I never talk about pricing in public.  ")

    assert post.decline_reason == "I never talk about pricing in public."
    assert abs(post.declined_at - utcnow()) < timedelta(minutes=1)
    assert 3600 <= post.seconds_with_rep < 3660


# ---- comments -----------------------------------------------------------------------------


def test_comments_reach_the_other_party_and_close_when_the_post_is_declined(post_in, people):
    post = post_in("with_rep")
    writer, rep = people["writer"], people["rep"]
    last_note = last_notification_id()

    comment = posts.add_comment(post, rep, "  Can we name the customer?  ")
    db.session.commit()

    assert (comment.body, comment.revision_number, comment.author) == (
        "Can we name the customer?",
        1,
        rep,
    )
    [note] = notifications_after(last_note)
    assert (note.user_id, note.kind) == (writer.id, "post_comment")
    assert note.link == f"/posts/{post.id}#comment-{comment.id}"
    with pytest.raises(ValidationFailed):
        posts.add_comment(post, writer, "   ")
    with pytest.raises(ValidationFailed):
        posts.add_comment(post, writer, "x" * 5001)
    posts.add_comment(post, people["marketing_leader"], "Good angle.")
    db.session.commit()
    assert [c.body for c in posts.comments(post)] == ["Can we name the customer?", "Good angle."]

    take(post, "decline")
    with pytest.raises(Conflict):
        posts.add_comment(post, writer, "But why?")
    db.session.rollback()
    assert len(posts.comments(post)) == 2


# ---- voice profile and past posts -----------------------------------------------------------


def test_a_rep_keeps_their_voice_profile(people):
    rep = people["rep"]

    posts.save_voice_profile(rep, "Plain words.\r\nNo buzzwords.", " forecasting, ,  CFO talks ")
    db.session.commit()
    posts.save_voice_profile(rep, "Plain words, short sentences.", "forecasting, CFO talks")
    db.session.commit()

    profile = posts.voice_profile(rep)
    assert (profile.tone, profile.topics) == (
        "Plain words, short sentences.",
        "forecasting, CFO talks",
    )
    assert profile.topic_list == ["forecasting", "CFO talks"]
    assert posts.voice_profile(people["other_rep"]) is None


@pytest.mark.parametrize(
    ("tone", "topics", "field"), [("x" * 2001, "", "tone"), ("", "y" * 501, "topics")]
)
def test_a_voice_profile_over_the_limits_is_refused(people, tone, topics, field):
    with pytest.raises(ValidationFailed) as refused:
        posts.save_voice_profile(people["rep"], tone, topics)
    db.session.rollback()

    assert field in refused.value.fields
    assert posts.voice_profile(people["rep"]) is None


def test_only_reps_keep_a_voice_profile(people):
    for who in ("writer", "admin", "sales_leader", "marketing_leader"):
        with pytest.raises(PermissionDenied):
            posts.save_voice_profile(people[who], "Tone", "Topics")


def test_past_posts_show_published_posts_to_any_writer_and_approved_ones_to_viewers(people):
    writer, rep = people["writer"], people["rep"]
    published = walk(draft(writer, rep, title="Published one"), "published")
    approved = walk(draft(writer, rep, title="Approved one"), "approved")
    walk(draft(writer, rep, title="Declined one"), "declined")
    walk(draft(writer, rep, title="With the rep"), "with_rep")
    draft(writer, rep, title="Still a draft")
    walk(draft(writer, people["other_rep"], title="Someone else's"), "published")

    assert posts.past_posts(rep, writer) == [approved, published]
    assert posts.past_posts(rep, people["marketing_leader"]) == [approved, published]
    assert posts.past_posts(rep, people["other_marketer"]) == [published]


def test_past_posts_find_published_posts_behind_many_hidden_approved_ones(people):
    rep = people["rep"]
    published = walk(draft(people["writer"], rep, title="Published one"), "published")
    for number in range(4):
        walk(draft(people["other_marketer"], rep, title=f"Approved {number}"), "approved")

    assert posts.past_posts(rep, people["writer"], limit=1) == [published]


# ---- the queue -------------------------------------------------------------------------------


def test_filters_that_are_not_understood_are_refused(people):
    writer = people["writer"]
    for args, field in [
        ({"status": "archived"}, "status"),
        ({"due": "later"}, "due"),
        ({"channel": "tiktok"}, "channel"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            post_queue.parse_filters(args, writer)
        assert field in refused.value.fields, args

    assert post_queue.parse_filters({}, people["rep"]) == PostFilters(status="with_rep")
    assert post_queue.parse_filters({}, writer) == PostFilters(status="active")
    parsed = post_queue.parse_filters({"status": "all", "due": "soon", "q": "  a   b "}, writer)
    assert parsed == PostFilters(status="all", due="soon", q="a b")


def test_the_queue_shows_each_status_view(people):
    writer, rep = people["writer"], people["rep"]
    for state in POST_STATUSES:
        walk(draft(writer, rep, title=state), state)
    unfinished = {"draft", "with_rep", "changes_requested", "approved"}

    assert set(queue(writer, status="active")) == unfinished
    assert set(queue(writer, status="all")) == set(POST_STATUSES)
    for state in POST_STATUSES:
        assert queue(writer, status=state) == [state]
    assert queue(rep, **vars(post_queue.default_filters(rep))) == ["with_rep"]
    counts = post_queue.status_counts(writer)
    assert (counts["active"], counts["all"], counts["declined"]) == (4, 6, 1)


def test_the_queue_finds_posts_due_soon_and_overdue(people):
    writer, rep = people["writer"], people["rep"]
    for title, days in [("today", 0), ("in three days", 3), ("in four days", 4), ("no date", None)]:
        due = today() + timedelta(days=days) if days is not None else None
        draft(writer, rep, title=title, due_on=due)
    late = draft(writer, rep, title="late", due_on=today())
    done = walk(draft(writer, rep, title="published late", due_on=today()), "published")
    yesterday = today() - timedelta(days=1)
    db.session.execute(
        update(GhostPost).where(GhostPost.id.in_([late.id, done.id])).values(due_on=yesterday)
    )
    db.session.commit()

    assert set(queue(writer, due="soon")) == {"today", "in three days"}
    assert queue(writer, status="all", due="overdue") == ["late"]
    assert [post.overdue for post in (late, done)] == [True, False]


def test_the_queue_filters_by_channel_and_words(people):
    writer, rep = people["writer"], people["rep"]
    draft(writer, rep, title="CFO notes on renewal", channel="blog")
    draft(writer, rep, title="Season", body="Renewal season is here.", topic="Finance")
    draft(writer, rep, title="50% off is not a strategy")
    draft(writer, rep, title="500 off")
    draft(writer, rep, title="net_revenue retention")
    draft(writer, rep, title="netXrevenue retention")

    assert queue(writer, channel="blog") == ["CFO notes on renewal"]
    assert set(queue(writer, q="RENEWAL")) == {"CFO notes on renewal", "Season"}
    assert queue(writer, q="finance") == ["Season"]
    assert queue(writer, q="renewal cfo") == ["CFO notes on renewal"]
    assert queue(writer, q="50%") == ["50% off is not a strategy"]
    assert queue(writer, q="net_revenue") == ["net_revenue retention"]
    assert queue(writer, q="renewal", channel="linkedin") == ["Season"]


def test_the_queue_puts_unfinished_posts_first_soonest_due_first(people):
    writer, rep = people["writer"], people["rep"]
    draft(writer, rep, title="due in five days", due_on=today() + timedelta(days=5))
    draft(writer, rep, title="no due date")
    walk(draft(writer, rep, title="published", due_on=today()), "published")
    walk(
        draft(writer, rep, title="approved, due in two", due_on=today() + timedelta(2)), "approved"
    )
    draft(writer, rep, title="due tomorrow", due_on=today() + timedelta(days=1))
    walk(draft(writer, rep, title="declined last"), "declined")

    assert queue(writer, status="all") == [
        "due tomorrow",
        "approved, due in two",
        "due in five days",
        "no due date",
        "declined last",
        "published",
    ]
