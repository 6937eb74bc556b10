"""Discussion on an asset: who takes part, threads one level deep, @mentions that notify,
resolving, and the asset's timeline; then the same over HTTP."""

import re

import pytest
from sqlalchemy import func, select

from content.library.services import AssetInput, revise_asset
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.notifications import Notification
from tests.factories import login, make_asset, make_user
from workflows.comments.services import (
    BODY_MAX,
    Comment,
    add_comment,
    reopen,
    resolve,
    threads,
    timeline,
)
from workflows.review import collaborators
from workflows.review.machine import transition


@pytest.fixture
def people(users):
    """The owner, a rep invited as reviewer, another marketer, an admin and an outsider rep."""
    return {
        "owner": users["marketer"],
        "riley": make_user("rep", "riley@example.com", "Riley Rivera"),
        "priya": make_user("marketer", "priya@example.com", "Priya Patel"),
        "admin": users["admin"],
        "outsider": users["rep"],
        "leader": users["leader"],
    }


@pytest.fixture
def draft(people):
    """A draft pricing guide with Riley invited as a reviewer."""
    asset = make_asset(people["owner"], "Pricing guide", publish=False)
    collaborators.invite(asset, people["owner"], "riley@example.com", "reviewer")
    db.session.commit()
    return asset


@pytest.fixture
def live(people):
    """A published asset nobody was invited to."""
    return make_asset(people["owner"], "Pricing guide")


def comment_count() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def notified(kind: str) -> dict[str, Notification]:
    """Notifications of ``kind`` by the recipient's email; fails on a duplicate."""
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind)).all()
    by_email = {row.user.email: row for row in rows}
    assert len(by_email) == len(rows), "someone was notified twice"
    return by_email


def post(asset, author, body="Looks good.", **kwargs) -> Comment:
    comment = add_comment(asset, author, body, **kwargs)
    db.session.commit()
    return comment


# ---- who takes part ------------------------------------------------------------------


def test_owner_collaborator_marketer_and_admin_discuss_a_draft(draft, people):
    for name in ("owner", "riley", "priya", "admin"):
        post(draft, people[name], f"Note from {name}")

    for name in ("owner", "riley", "priya", "admin"):
        shown = [comment.body for comment in threads(draft, people[name])]
        assert shown == ["Note from owner", "Note from riley", "Note from priya", "Note from admin"]


def test_an_uninvited_rep_on_a_live_asset_sees_no_threads_and_cannot_comment(live, people):
    post(live, people["owner"], "Internal: the discount table is wrong")

    assert threads(live, people["outsider"]) == []
    with pytest.raises(PermissionDenied):
        add_comment(live, people["outsider"], "Can I join?")
    db.session.rollback()
    assert comment_count() == 1


def test_an_uninvited_leader_cannot_comment_either(live, people):
    with pytest.raises(PermissionDenied):
        add_comment(live, people["leader"], "Thoughts")


def test_a_rep_who_cannot_see_the_draft_is_told_it_does_not_exist(draft, people):
    with pytest.raises(NotFound):
        add_comment(draft, people["outsider"], "Hello?")


def test_a_removed_collaborator_loses_the_discussion(draft, people):
    post(draft, people["riley"], "My review notes")
    collaborators.remove(draft, people["owner"], people["riley"].id)
    db.session.commit()

    assert threads(draft, people["riley"]) == []
    with pytest.raises(NotFound):
        add_comment(draft, people["riley"], "Still here?")


# ---- threads and revisions -----------------------------------------------------------


def test_a_reply_to_a_reply_joins_the_top_level_thread(draft, people):
    top = post(draft, people["owner"], "Is the table right?")
    first = post(draft, people["riley"], "No, row 3.", parent_id=top.id)
    second = post(draft, people["owner"], "Fixed row 3.", parent_id=first.id)

    assert (first.parent_id, second.parent_id) == (top.id, top.id)
    [thread] = threads(draft, people["priya"])
    assert [reply.body for reply in thread.replies] == ["No, row 3.", "Fixed row 3."]


def test_a_reply_cannot_join_a_thread_on_another_asset(draft, people):
    elsewhere = make_asset(people["owner"], "Other asset", publish=False)
    top = post(elsewhere, people["owner"], "Elsewhere")

    with pytest.raises(NotFound):
        add_comment(draft, people["owner"], "Reply", parent_id=top.id)
    with pytest.raises(NotFound):
        add_comment(draft, people["owner"], "Reply", parent_id=987654)


def test_a_comment_is_about_the_latest_revision_unless_another_is_named(draft, people):
    first = draft.latest_revision
    edit = AssetInput(title="Pricing guide", body="New prices.", stages=list(draft.stages))
    revise_asset(draft, people["owner"], first.id, edit)
    db.session.commit()

    on_latest = post(draft, people["riley"], "On the new prices")
    on_first = post(draft, people["riley"], "On the old prices", revision=first)

    assert (on_latest.revision.number, on_first.revision.number) == (2, 1)
    other = make_asset(people["owner"], "Other asset", publish=False)
    with pytest.raises(NotFound):
        add_comment(draft, people["riley"], "Wrong asset", revision=other.latest_revision)


# ---- validation and state ------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * (BODY_MAX + 1)])
def test_empty_or_too_long_comments_are_refused_with_a_field_message(draft, people, body):
    with pytest.raises(ValidationFailed) as refused:
        add_comment(draft, people["owner"], body)

    assert "body" in refused.value.fields
    db.session.rollback()
    assert comment_count() == 0


def test_a_comment_of_the_maximum_length_is_kept_with_its_line_breaks(draft, people):
    assert len(post(draft, people["owner"], "x" * BODY_MAX).body) == BODY_MAX
    assert post(draft, people["owner"], "  one\r\ntwo  ").body == "one\ntwo"


def test_an_archived_asset_cannot_be_commented_on(live, people):
    transition(live, people["owner"], "archive")
    db.session.commit()

    with pytest.raises(Conflict):
        add_comment(live, people["owner"], "Too late")
    db.session.rollback()
    assert comment_count() == 0


# ---- mentions ------------------------------------------------------------------------


def test_mentions_notify_exactly_the_people_who_can_see_the_draft(draft, people):
    sleepy = make_user("marketer", "sleepy@example.com", "Sleepy Sam")
    sleepy.active = False
    db.session.commit()
    body = (
        "@Riley and @priya@example.com: please check. "
        "cc @rep (cannot see drafts), @sleepy (deactivated), @nobody, @r_ley, "
        "me @marketer, and riley@example.com written out is not a mention. Again @riley."
    )

    comment = post(draft, people["owner"], body)

    mentions = notified("mentioned")
    assert set(mentions) == {"riley@example.com", "priya@example.com"}
    assert mentions["riley@example.com"].text == "Morgan Marketer mentioned you on “Pricing guide”"
    assert mentions["riley@example.com"].link == f"/assets/{draft.id}#comment-{comment.id}"


def test_a_shared_first_part_is_ambiguous_but_the_full_email_is_not(draft, people):
    make_user("marketer", "sam@example.com", "Sam One")
    make_user("marketer", "sam@example.org", "Sam Two")

    post(draft, people["owner"], "@sam, which one?")
    assert notified("mentioned") == {}

    post(draft, people["owner"], "@sam@example.org you.")
    assert set(notified("mentioned")) == {"sam@example.org"}


def test_on_a_live_asset_only_people_who_can_read_the_discussion_are_mentioned(live, people):
    edit = AssetInput(title="Pricing guide 2026 (secret)", body="New.", stages=list(live.stages))
    revise_asset(live, people["owner"], live.latest_revision_id, edit)
    db.session.commit()

    # The rep reads the live asset but not its discussion: the link would show nothing.
    post(live, people["owner"], "@rep heads-up: new prices are coming")

    assert "rep@example.com" not in notified("mentioned")


def test_a_reply_tells_the_thread_author_once_and_never_the_replier(draft, people):
    top = post(draft, people["riley"], "Row 3 is wrong")
    post(draft, people["owner"], "Fixed", parent_id=top.id)
    post(draft, people["riley"], "Thanks", parent_id=top.id)  # replying to her own thread
    post(draft, people["priya"], "@riley also row 4?", parent_id=top.id)

    replies = db.session.scalars(
        select(Notification).where(Notification.text.contains("replied to your comment"))
    ).all()
    assert [(n.user.email, n.text) for n in replies] == [
        ("riley@example.com", "Morgan Marketer replied to your comment on “Pricing guide”")
    ]
    assert set(notified("mentioned")) == {"riley@example.com"}


def test_any_comment_tells_the_owner_and_co_authors_once_but_not_the_commenter(draft, people):
    co_author = make_user("rep", "casey@example.com", "Casey Cole")
    collaborators.invite(draft, people["owner"], co_author.email, "author")
    db.session.query(Notification).delete()

    # Riley reviews: no mention, yet the owner and the co-author hear of it.
    plain = post(draft, people["riley"], "Row 3 is wrong")
    told = notified("comment")
    assert set(told) == {"marketer@example.com", "casey@example.com"}
    assert told["marketer@example.com"].text == "Riley Rivera commented on “Pricing guide”"
    assert told["casey@example.com"].link == f"/assets/{draft.id}#comment-{plain.id}"

    # The owner mentioned is told once, as mentioned; the commenting co-author not at all.
    db.session.query(Notification).delete()
    post(draft, co_author, "@marketer agreed")
    assert set(notified("mentioned")) == {"marketer@example.com"}
    assert notified("comment") == {}


def test_a_deactivated_co_author_is_not_told_of_comments(live, people):
    co_author = make_user("rep", "casey@example.com", "Casey Cole")
    collaborators.invite(live, people["owner"], co_author.email, "author")
    co_author.active = False
    db.session.query(Notification).delete()
    db.session.commit()

    post(live, people["priya"], "Should we retire this?")

    assert set(notified("comment")) == {"marketer@example.com"}


# ---- resolving -----------------------------------------------------------------------


def test_the_author_owner_and_admin_resolve_and_reopen_threads(draft, people):
    thread = post(draft, people["riley"], "Row 3 is wrong")

    for name in ("riley", "owner", "admin"):
        resolve(thread, people[name])
        assert thread.resolved_by_id == people[name].id
        assert thread.resolved_at is not None
        reopen(thread, people[name])
        assert thread.resolved_at is None
        assert thread.resolved_by_id is None


def test_others_may_not_resolve_a_thread(draft, people):
    thread = post(draft, people["riley"], "Row 3 is wrong")

    with pytest.raises(PermissionDenied):
        resolve(thread, people["priya"])
    with pytest.raises(NotFound):
        resolve(thread, people["outsider"])
    assert thread.resolved_at is None


def test_replies_are_not_resolved_and_states_do_not_repeat(draft, people):
    thread = post(draft, people["owner"], "Question")
    reply = post(draft, people["riley"], "Answer", parent_id=thread.id)

    with pytest.raises(Conflict):
        resolve(reply, people["owner"])
    with pytest.raises(Conflict):
        reopen(thread, people["owner"])
    resolve(thread, people["owner"])
    with pytest.raises(Conflict):
        resolve(thread, people["admin"])


# ---- timeline ------------------------------------------------------------------------


def test_the_timeline_mixes_revisions_threads_and_events_newest_first(draft, people):
    owner = people["owner"]
    # Dual sign-off: a marketing reviewer next to Riley, so the draft can be submitted.
    collaborators.invite(draft, owner, "priya@example.com", "reviewer")
    thread = post(draft, people["riley"], "Row 3 is wrong")
    post(draft, owner, "Fixing", parent_id=thread.id)
    edit = AssetInput(title="Pricing guide", body="Row 3 fixed.", stages=list(draft.stages))
    revise_asset(draft, owner, draft.latest_revision_id, edit)
    resolve(thread, owner)
    transition(draft, owner, "submit", "Ready")
    db.session.commit()

    entries = timeline(draft, people["priya"])

    assert [entry.kind for entry in entries] == ["event", "revision", "comment", "revision"]
    event, second, discussed, first = entries
    assert (event.actor, event.action_label, event.event.comment) == (
        owner,
        "Submitted for review",
        "Ready",
    )
    assert (event.event.from_state, event.event.to_state) == ("draft", "in_review")
    assert (second.revision.number, second.previous_number) == (2, 1)
    assert (first.revision.number, first.previous_number) == (1, None)
    assert discussed.comment.id == thread.id
    assert discussed.reply_count == 1
    assert discussed.comment.resolved_at is not None


def test_readers_of_the_live_revision_get_no_timeline(live, people):
    post(live, people["owner"], "Internal")

    assert timeline(live, people["outsider"]) == []
    assert [entry.kind for entry in timeline(live, people["owner"])][-1] == "revision"


# ---- over HTTP -----------------------------------------------------------------------


def flashes(html: str, category: str) -> list[str]:
    found = re.findall(r'<p class="flash flash-(\w+)" role="\w+">([^<]*)</p>', html)
    return [message for kind, message in found if kind == category]


def signed_in(app, user):
    """A client signed in as ``user``, its welcome message already shown."""
    client = login(app.test_client(), user)
    client.get("/library")
    return client


def only_comment() -> Comment:
    return db.session.scalars(select(Comment)).one()


def test_posting_a_comment_flashes_and_lands_on_it(app, draft, people):
    client = signed_in(app, people["owner"])

    response = client.form(
        f"/assets/{draft.id}/comments",
        {"body": "@riley check <b>row 3</b>\nplease", "revision": "1"},
    )

    comment = only_comment()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/assets/{draft.id}#comment-{comment.id}"
    page = client.get(f"/assets/{draft.id}").text
    assert flashes(page, "success") == ["Comment posted. Notified: Riley Rivera."]
    assert '<span class="mention">@riley</span> check &lt;b&gt;row 3&lt;/b&gt;<br>\nplease' in page
    assert f'id="comment-{comment.id}"' in page


def test_a_reply_through_the_form_joins_the_thread(app, draft, people):
    thread = post(draft, people["owner"], "Question")
    client = signed_in(app, people["riley"])

    response = client.form(
        f"/assets/{draft.id}/comments", {"body": "Answer", "parent_id": str(thread.id)}
    )

    [reply] = thread.replies
    assert response.headers["Location"] == f"/assets/{draft.id}#comment-{reply.id}"
    assert flashes(client.get(f"/assets/{draft.id}").text, "success") == ["Reply posted."]


def test_an_unknown_handle_is_named_in_the_flash(app, draft, people):
    client = signed_in(app, people["owner"])

    page = client.form(
        f"/assets/{draft.id}/comments", {"body": "@nobody?"}, follow_redirects=True
    ).text

    assert flashes(page, "success") == [
        "Comment posted. Not notified: @nobody (nobody who can see this asset goes by that)."
    ]
    assert '<span class="mention">' not in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"body": "   "}, "Write a comment before posting."),
        ({"body": "Hi", "parent_id": "abc"}, "Choose a comment to reply to."),
        ({"body": "Hi", "revision": "-1"}, "Choose a revision by its number."),
    ],
)
def test_bad_input_flashes_and_saves_nothing(app, draft, people, form, message):
    client = signed_in(app, people["owner"])

    response = client.form(f"/assets/{draft.id}/comments", form)

    assert response.headers["Location"] == f"/assets/{draft.id}#discussion"
    assert flashes(client.get(f"/assets/{draft.id}").text, "error") == [message]
    assert comment_count() == 0


def test_a_form_without_its_csrf_token_is_refused(app, draft, people):
    client = signed_in(app, people["owner"])

    response = client.post(f"/assets/{draft.id}/comments", data={"body": "Sneaky"})

    assert response.status_code == 400
    assert comment_count() == 0


def test_unknown_or_invisible_things_are_not_found(app, draft, live, people):
    thread = post(draft, people["owner"], "Internal")
    live_thread = post(live, people["owner"], "Internal too")
    outsider = signed_in(app, people["outsider"])
    owner = signed_in(app, people["owner"])

    assert outsider.form(f"/assets/{draft.id}/comments", {"body": "Hi"}).status_code == 404
    assert owner.form("/assets/999999/comments", {"body": "Hi"}).status_code == 404
    assert (
        owner.form(
            f"/assets/{draft.id}/comments", {"body": "Hi", "parent_id": "999999"}
        ).status_code
        == 404
    )
    assert (
        owner.form(f"/assets/{draft.id}/comments", {"body": "Hi", "revision": "9"}).status_code
        == 404
    )
    assert owner.form("/comments/999999/resolve").status_code == 404
    assert outsider.form(f"/comments/{thread.id}/resolve").status_code == 404
    assert outsider.form(f"/comments/{live_thread.id}/resolve").status_code == 404
    assert outsider.form(f"/assets/{live.id}/comments", {"body": "Hi"}).status_code == 403
    assert comment_count() == 2


def test_an_uninvited_rep_sees_no_discussion_on_the_page(app, live, people):
    post(live, people["owner"], "Internal: discount floor is 12%")

    rep_page = signed_in(app, people["outsider"]).get(f"/assets/{live.id}").text
    owner_page = signed_in(app, people["owner"]).get(f"/assets/{live.id}").text

    assert "Discussion" not in rep_page
    assert "discount floor" not in rep_page
    assert "Timeline" not in rep_page
    assert "Discussion" in owner_page
    assert "discount floor" in owner_page


def test_an_empty_discussion_says_what_to_do(app, draft, people):
    page = signed_in(app, people["riley"]).get(f"/assets/{draft.id}").text

    assert "No comments yet. Ask a question or @mention someone." in page
    assert "Mention someone with @ and the first part of their email, e.g. @riley" in page


def test_resolving_collapses_the_thread_and_offers_reopen(app, draft, people):
    thread = post(draft, people["riley"], "Row 3 is wrong")
    client = signed_in(app, people["owner"])

    response = client.form(f"/comments/{thread.id}/resolve")

    assert response.headers["Location"] == f"/assets/{draft.id}#comment-{thread.id}"
    page = client.get(f"/assets/{draft.id}").text
    assert flashes(page, "success") == ["Thread resolved."]
    assert f'<details class="thread thread-resolved" id="comment-{thread.id}">' in page
    assert ">Reopen</button>" in page
    again = client.form(f"/comments/{thread.id}/resolve", follow_redirects=True).text
    assert flashes(again, "error") == ["This thread is already resolved."]
    client.form(f"/comments/{thread.id}/reopen")
    assert flashes(client.get(f"/assets/{draft.id}").text, "success") == ["Thread reopened."]


def test_someone_else_is_refused_resolving_with_a_flash(app, draft, people):
    thread = post(draft, people["riley"], "Row 3 is wrong")
    client = signed_in(app, people["priya"])

    page = client.form(f"/comments/{thread.id}/resolve", follow_redirects=True).text

    assert flashes(page, "error") == [
        "Only the comment&#39;s author, the asset&#39;s owner or an admin can resolve this thread."
    ]


def test_the_page_timeline_links_each_revision_to_what_changed(app, draft, people):
    edit = AssetInput(title="Pricing guide", body="New prices.", stages=list(draft.stages))
    revise_asset(draft, people["owner"], draft.latest_revision_id, edit)
    db.session.commit()
    post(draft, people["riley"], "Better")

    page = signed_in(app, people["riley"]).get(f"/assets/{draft.id}").text

    assert "Timeline" in page
    assert f'href="/assets/{draft.id}/diff?from=1&amp;to=2"' in page
    assert f'href="/assets/{draft.id}#comment-' in page
