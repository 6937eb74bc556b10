"""The weekly digest: what each role is told about a week, the page, and the emails
`digest send` sends once per person and week."""

import html
import logging
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from content.deals.models import Deal
from content.library.models import Stage
from content.usage.models import Rating
from content.usage.ratings import rate
from portal.demo.digest import seed_digest
from portal.digest.models import DigestDelivery
from portal.digest.summary import compose
from portal.digest.views import claim, send_week
from portal.digest.weeks import Week, last_complete_week
from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from portal.kernel.models import User, utcnow
from portal.kernel.reporting import local_today
from portal.reports.registry import in_order
from tests.factories import MARKETING_REVIEWER, SALES_REVIEWER, login, make_asset, make_user
from tests.portal.helpers import Inbox, deactivate, flashes, free_port, outcome, serving_inbox
from workflows.audit.models import WorkflowEvent
from workflows.campaigns.models import Campaign, CampaignRead
from workflows.feedback.models import FieldFeedback
from workflows.posts.machine import transition as post_transition
from workflows.posts.services import PostInput, create_post
from workflows.requests.services import submit_request

WEEK = Week(date(2026, 11, 23))  # 2026-W48, Monday 23 to Sunday 29 November
# In Auckland (UTC+13 in November) the week runs from 22 Nov 11:00 to 29 Nov 11:00 UTC.
ZONE = "Pacific/Auckland"
FIRST = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
END = datetime(2026, 11, 29, 11, 0, tzinfo=UTC)
JUST_BEFORE = FIRST - timedelta(minutes=1)
LAST_MINUTE = END - timedelta(minutes=1)
SUBJECT = "Your week in Tandem"
# Who rep_week's digests go to: both reps, and every leader and admin (the numbers).
EMAILED_BUT_RILEY = dict.fromkeys(
    [
        "other.rep@example.com",
        "leader@example.com",
        "admin@example.com",
        SALES_REVIEWER,
        MARKETING_REVIEWER,
    ],
    1,
)
EMAILED = {"rep@example.com": 1, **EMAILED_BUT_RILEY}


@pytest.fixture(autouse=True)
def auckland(app):
    """The portal's calendar is Auckland's; no email unless a test starts a server."""
    app.config.update(TIMEZONE=ZONE, MAIL_SERVER="")
    yield
    run_held()


class RefusingInbox(Inbox):
    """An SMTP server that keeps messages and refuses the addresses in ``refused``."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def digests(self) -> dict[str, int]:
        """How many digest emails each address got."""
        counts: dict[str, int] = {}
        for recipients, message in self.messages:
            if message["Subject"].startswith(SUBJECT):
                for address in recipients:
                    counts[address] = counts.get(address, 0) + 1
        return counts

    def digest_for(self, address: str):
        return next(
            message
            for recipients, message in self.messages
            if recipients == [address] and message["Subject"].startswith(SUBJECT)
        )


@pytest.fixture
def inbox(app):
    """A real SMTP server on 127.0.0.1, started after the test's data is made."""
    run_held()  # emails of the notifications seeding made go nowhere
    with serving_inbox(app, handler=RefusingInbox()) as handler:
        yield handler


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


# ---- seeding a week ----------------------------------------------------------------------


def went_live(asset, when: datetime) -> None:
    """Date ``asset``'s first publication (and its publication) at ``when``."""
    db.session.execute(
        update(WorkflowEvent)
        .where(
            WorkflowEvent.subject_type == "asset",
            WorkflowEvent.subject_id == asset.id,
            WorkflowEvent.action == "publish",
        )
        .values(created_at=when)
    )
    asset.published_at = when
    db.session.commit()


def stage(slug: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.slug == slug))


def open_deal(rep, stage_slug: str, status: str = "open") -> Deal:
    deal = Deal(name=f"Deal {stage_slug}", account="Acme", owner=rep, stage=stage(stage_slug))
    deal.status = status
    db.session.add(deal)
    db.session.commit()
    return deal


def feedback(author, text: str, *, asset=None, created=None, reply="", replied=None, by=None):
    row = FieldFeedback(
        author=author,
        kind="objection",
        text=text,
        asset=asset,
        reply=reply,
        replied_at=replied,
        handled_by=by,
        status="acknowledged" if reply else "new",
    )
    if created is not None:
        row.created_at = created
    db.session.add(row)
    db.session.commit()
    return row


def post_for(rep, writer, title: str, send: bool = True):
    post = create_post(writer, PostInput(title=title, body="In my words.", rep=rep.email))
    if send:
        post_transition(post, writer, "send_to_rep")
    db.session.commit()
    return post


@pytest.fixture
def rep_week(users):
    """A rep with an open deal in the decision stage and a week of things around them."""
    rep, marketer = users["rep"], users["marketer"]
    open_deal(rep, "decision")
    open_deal(rep, "awareness", status="won")
    assets = {}
    for name, when, stages in [
        ("First minute", FIRST, ("decision",)),
        ("Last minute", LAST_MINUTE, ("decision",)),
        ("Week before", JUST_BEFORE, ("decision",)),
        ("Week after", END, ("decision",)),
        ("Other stage", FIRST + timedelta(days=2), ("awareness",)),
    ]:
        assets[name] = make_asset(marketer, name, stages=stages)
        went_live(assets[name], when)
    republished = make_asset(marketer, "Republished", stages=("decision",))
    went_live(republished, JUST_BEFORE)
    republished.published_at = FIRST + timedelta(days=1)
    db.session.commit()
    waiting = post_for(rep, marketer, "Three lessons from the Acme rollout")
    post_for(rep, marketer, "Still a draft", send=False)
    replied = feedback(
        rep,
        "Buyers say the price is too high",
        reply="We are writing a TCO comparison for exactly this.",
        replied=LAST_MINUTE,
        by=marketer,
    )
    feedback(rep, "Answered too early", reply="Old answer", replied=JUST_BEFORE, by=marketer)
    feedback(rep, "Not answered yet")
    other = make_user("rep", "other.rep@example.com", "Olive Other")
    feedback(other, "Someone else's", reply="Not for Riley", replied=FIRST, by=marketer)
    return {"assets": assets, "post": waiting, "reply": replied}


def titles(digest, heading: str) -> list[str]:
    section = next((s for s in digest.sections if s.heading == heading), None)
    return [item.title for item in section.items] if section else []


# ---- composing ---------------------------------------------------------------------------


def test_a_rep_hears_of_new_assets_in_their_stages_posts_waiting_and_replies(users, rep_week):
    digest = compose(users["rep"], WEEK)

    assert titles(digest, "New in the library") == ["First minute", "Last minute"]
    library = digest.sections[0]
    assert library.note == "In the stages of your open deals."
    assert [item.link for item in library.items] == [
        f"/assets/{rep_week['assets']['First minute'].id}",
        f"/assets/{rep_week['assets']['Last minute'].id}",
    ]
    assert titles(digest, "Posts waiting for you") == ["Three lessons from the Acme rollout"]
    (reply,) = next(s for s in digest.sections if s.heading == "Replies to your feedback").items
    assert reply.title == "Objection: Buyers say the price is too high"
    assert reply.quotes == ["We are writing a TCO comparison for exactly this."]
    assert reply.detail == "Morgan Marketer replied"
    assert reply.link == f"/feedback/{rep_week['reply'].id}"
    assert digest.summary == "2 new assets, 1 post waiting for you, 1 reply to your feedback"


def test_a_rep_without_open_deals_hears_of_every_stage_and_is_told_so(users, rep_week):
    other = make_user("rep", "new.rep@example.com", "Nell New")

    digest = compose(other, WEEK)

    assert titles(digest, "New in the library") == ["First minute", "Other stage", "Last minute"]
    assert digest.sections[0].note == (
        "You have no open deals with a stage, so this covers every stage."
    )
    assert titles(digest, "Replies to your feedback") == []


def test_a_marketer_hears_of_feedback_and_ratings_on_their_assets_and_waiting_requests(users):
    marketer, rep, leader = users["marketer"], users["rep"], users["leader"]
    mine = make_asset(marketer, "Battlecard")
    theirs = make_asset(make_user("marketer", "mia@example.com", "Mia"), "Not mine")
    feedback(rep, "Customers ask about SSO", asset=mine, created=FIRST)
    feedback(rep, "Too early", asset=mine, created=JUST_BEFORE)
    feedback(rep, "About someone else's", asset=theirs, created=FIRST)
    for person, stars, comment in [(rep, 5, "Won me a meeting"), (leader, 4, "")]:
        rate(mine, person, stars, comment)
    rate(theirs, rep, 1, "Not for Morgan")
    db.session.execute(update(Rating).values(updated_at=LAST_MINUTE))
    rate(make_asset(marketer, "Rated late"), rep, 2, "After the week")
    submit_request(rep, "A security one-pager for banks", stage("decision"))
    db.session.commit()

    digest = compose(marketer, WEEK)

    (received,) = next(s for s in digest.sections if s.heading == "Feedback on your assets").items
    assert received.title == "Objection on “Battlecard”"
    assert received.quotes == ["Customers ask about SSO"]
    assert received.detail == "From Riley Rep"
    (rated,) = next(s for s in digest.sections if s.heading == "Ratings of your assets").items
    assert (rated.title, rated.link) == ("Battlecard", f"/assets/{mine.id}")
    assert rated.detail == "2 ratings, average 4.5 of 5 stars"
    assert rated.quotes == ["Won me a meeting"]
    assert titles(digest, "Requests waiting for marketing") == ["A security one-pager for banks"]


def test_leaders_and_admins_get_every_reports_headlines_for_the_week_with_links(users, rep_week):
    rate(rep_week["assets"]["First minute"], users["rep"], 4)
    db.session.commit()

    for role in ("leader", "admin"):
        digest = compose(users[role], WEEK)
        numbers = digest.sections[0]
        assert [s.heading for s in digest.sections] == [
            "The week in numbers",
            "Content consumption",
        ]
        assert [item.title for item in numbers.items] == [spec.title for spec in in_order()]
        assert [item.link for item in numbers.items] == [
            f"/reports/{spec.slug}?from=2026-11-23&to=2026-11-29" for spec in in_order()
        ]
        assert all(item.detail for item in numbers.items)


def test_a_quiet_week_is_empty_for_reps_and_marketers_but_leaders_get_the_numbers(users):
    for role in ("rep", "marketer"):
        digest = compose(users[role], WEEK)
        assert digest.empty, role
        assert digest.summary == "Nothing new this week."
    for role in ("leader", "admin"):
        assert not compose(users[role], WEEK).empty


def test_the_last_complete_week_ends_on_the_sunday_before_today():
    assert last_complete_week(date(2026, 12, 3)) == WEEK
    assert last_complete_week(date(2026, 11, 30)) == WEEK
    assert last_complete_week(date(2026, 11, 29)) == Week(date(2026, 11, 16))
    assert WEEK.label == "2026-W48"
    assert WEEK.title == "23–29 Nov 2026"
    assert Week(date(2026, 12, 28)).title == "28 Dec 2026 – 3 Jan 2027"


# ---- the page ----------------------------------------------------------------------------


def page_text(response) -> str:
    return html.unescape(response.text)


def test_the_page_shows_the_signed_in_users_own_digest_of_the_week_picked(
    client_as, users, rep_week
):
    response = client_as("rep").get("/digest?week=2026-W48")

    text = page_text(response)
    assert response.status_code == 200
    assert "Your week, 23–29 Nov 2026" in text
    assert "We are writing a TCO comparison for exactly this." in text
    assert f'href="/posts/{rep_week["post"].id}"' in text
    assert "Three lessons from the Acme rollout" in text
    assert "This digest is not emailed" in text
    assert '<option value="2026-W48" selected>' in text

    other = client_as("marketer").get("/digest?week=2026-W48&user=1")
    assert "We are writing a TCO comparison" not in page_text(other)
    assert "Three lessons from the Acme rollout" not in page_text(other)


def test_the_page_defaults_to_the_last_complete_week_and_says_when_nothing_is_new(client_as):
    response = client_as("marketer").get("/digest")

    text = page_text(response)
    assert f"Your week, {last_complete_week().title}" in text
    assert "Nothing new this week." in text


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2026-48", "Write the week as YEAR-Wnn, e.g. 2026-W48."),
        ("2026-W54", "Write the week as YEAR-Wnn, e.g. 2026-W48."),
        ("2999-W01", "That week is not over yet; choose an earlier one."),
    ],
)
def test_a_bad_week_is_explained_and_the_last_week_shown(client_as, week, message):
    response = client_as("rep").get(f"/digest?week={week}")

    assert response.status_code == 200
    assert message in flashes(response)
    assert f"Your week, {last_complete_week().title}" in page_text(response)


def test_the_page_is_for_signed_in_users_only(client):
    assert outcome(client.get("/digest")) == "login"


# ---- sending -----------------------------------------------------------------------------


def test_send_emails_each_user_with_news_once_with_absolute_links(app, users, rep_week, inbox):
    result = run(app, "digest", "send", "--week", "2026-W48")

    assert result.exit_code == 0, result.output
    assert "Digest of 2026-W48 (23–29 Nov 2026)." in result.output
    assert "rep@example.com: sent (2 new assets, 1 post waiting for you" in result.output
    assert inbox.digests() == EMAILED
    message = inbox.digest_for("rep@example.com")
    assert message["Subject"] == (
        "Your week in Tandem, 23–29 Nov 2026: 2 new assets, 1 post waiting for you, "
        "1 reply to your feedback"
    )
    text = message.get_body(("plain",)).get_content()
    assert "We are writing a TCO comparison for exactly this." in text
    assert f"https://tandem.example.com/feedback/{rep_week['reply'].id}" in text
    assert "https://tandem.example.com/digest?week=2026-W48" in text
    page = message.get_body(("html",)).get_content()
    assert f'href="https://tandem.example.com/posts/{rep_week["post"].id}"' in page
    # The marketer had a quiet week: nothing is mailed to them.
    assert "6 sent, 1 skipped (nothing new), 0 already sent, 0 failed." in result.output
    sent = db.session.scalars(select(DigestDelivery.status)).all()
    assert sent == ["sent"] * 6

    rep_page = login(app.test_client(), users["rep"]).get("/digest?week=2026-W48")
    assert "Emailed to you on " in page_text(rep_page)

    again = run(app, "digest", "send", "--week", "2026-W48")

    assert again.exit_code == 0, again.output
    assert "0 sent, 1 skipped (nothing new), 6 already sent, 0 failed." in again.output
    assert inbox.digests() == EMAILED


def test_two_runs_at_once_send_each_user_one_email(app, users, rep_week, inbox):
    start = threading.Barrier(2)
    results = []

    def run_send():
        with app.app_context():
            start.wait(5)
            results.append(send_week(WEEK))
            db.session.remove()

    runs = [threading.Thread(target=run_send) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(30)

    assert inbox.digests() == EMAILED
    assert sum(result["sent"] for result in results) == 6
    assert sum(result["already_sent"] for result in results) == 6


def test_only_one_of_many_claims_on_a_week_wins(app, users):
    rep_id = users["rep"].id
    wins = []
    start = threading.Barrier(4)

    def try_claim():
        with app.app_context():
            start.wait(5)
            wins.append(claim(db.session.get(User, rep_id), WEEK))
            db.session.remove()

    threads = [threading.Thread(target=try_claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(wins) == [False, False, False, True]
    assert db.session.scalars(select(DigestDelivery.status)).all() == ["sending"]


def test_a_claim_abandoned_by_a_dead_run_may_be_retaken_but_not_a_live_or_sent_one(users):
    rep = users["rep"]
    assert claim(rep, WEEK)
    assert not claim(rep, WEEK)

    an_hour_ago = utcnow() - timedelta(hours=1, minutes=1)
    db.session.execute(update(DigestDelivery).values(claimed_at=an_hour_ago))
    db.session.commit()
    assert claim(rep, WEEK)

    db.session.execute(update(DigestDelivery).values(status="sent", claimed_at=an_hour_ago))
    db.session.commit()
    assert not claim(rep, WEEK)
    assert claim(rep, Week(date(2026, 11, 16)))


def test_a_refused_email_is_logged_marked_failed_and_sent_by_the_next_run(
    app, users, rep_week, inbox, caplog
):
    caplog.set_level(logging.ERROR, logger="portal.digest.views")
    inbox.refused.add("rep@example.com")

    result = run(app, "digest", "send", "--week", "2026-W48")

    assert result.exit_code == 1
    assert "rep@example.com: failed (SMTPRecipientsRefused)" in result.output
    assert "5 sent, 1 skipped (nothing new), 0 already sent, 1 failed." in result.output
    assert inbox.digests() == EMAILED_BUT_RILEY
    failed = db.session.scalar(
        select(DigestDelivery).where(DigestDelivery.user_id == users["rep"].id)
    )
    assert failed.status == "failed"
    assert "SMTPRecipientsRefused" in failed.error
    assert any("digest to rep@example.com failed" in r.getMessage() for r in caplog.records)

    inbox.refused.clear()
    retry = run(app, "digest", "send", "--week", "2026-W48")

    assert retry.exit_code == 0, retry.output
    assert "1 sent, 1 skipped (nothing new), 5 already sent, 0 failed." in retry.output
    assert inbox.digests() == EMAILED


def test_an_unreachable_mail_server_fails_every_claim_for_the_next_run(app, users, rep_week):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)

    result = run(app, "digest", "send", "--week", "2026-W48")

    assert result.exit_code == 1
    assert "0 sent, 1 skipped (nothing new), 0 already sent, 6 failed." in result.output
    assert db.session.scalars(select(DigestDelivery.status)).all() == ["failed"] * 6


def test_deactivated_users_get_nothing(app, users, rep_week, inbox):
    deactivate(users["rep"])

    result = run(app, "digest", "send", "--week", "2026-W48")

    assert result.exit_code == 0, result.output
    assert inbox.digests() == EMAILED_BUT_RILEY
    assert "rep@example.com" not in result.output.replace("other.rep@example.com", "")


# ---- the commands ------------------------------------------------------------------------


def test_dry_run_says_who_would_get_what_and_sends_nothing(app, users, rep_week, inbox):
    result = run(app, "digest", "send", "--week", "2026-W48", "--dry-run")

    assert result.exit_code == 0, result.output
    assert (
        "rep@example.com (rep): would send: 2 new assets, 1 post waiting for you, "
        "1 reply to your feedback"
    ) in result.output
    assert "marketer@example.com (marketer): nothing new, no email" in result.output
    assert "Dry run: 6 would be sent, 1 skipped (nothing new), 0 already sent." in result.output
    assert inbox.messages == []
    assert db.session.scalars(select(DigestDelivery)).all() == []


def test_without_a_mail_server_send_claims_nothing_and_points_to_the_page(app, users, rep_week):
    result = run(app, "digest", "send", "--week", "2026-W48")

    assert result.exit_code == 0, result.output
    assert "No mail server is configured (TANDEM_MAIL_SERVER)" in result.output
    assert db.session.scalars(select(DigestDelivery)).all() == []


def test_a_bad_week_option_is_refused_clearly(app, users):
    result = run(app, "digest", "send", "--week", "last week")

    assert result.exit_code == 2
    assert "Write the week as YEAR-Wnn, e.g. 2026-W48." in result.output


def test_preview_prints_one_persons_email(app, users, rep_week):
    app.config["BASE_URL"] = "https://tandem.example.com"

    result = run(app, "digest", "preview", "REP@example.com", "--week", "2026-W48")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Subject: Your week in Tandem, 23–29 Nov 2026: 2 new")
    assert "REPLIES TO YOUR FEEDBACK" in result.output
    assert f"https://tandem.example.com/posts/{rep_week['post'].id}" in result.output

    quiet = run(app, "digest", "preview", "marketer@example.com", "--week", "2026-W48")
    assert "(Nothing new this week: no email would be sent.)" in quiet.output

    unknown = run(app, "digest", "preview", "nobody@example.com")
    assert unknown.exit_code == 1
    assert "Nobody has the email nobody@example.com." in unknown.output


def test_every_command_has_help(app):
    for command in (["digest"], ["digest", "send"], ["digest", "preview"]):
        result = run(app, *command, "--help")
        assert result.exit_code == 0, result.output
    assert "email it to everyone" in run(app, "digest", "--help").output


def test_the_demo_seed_gives_the_demo_rep_a_reply_last_week_once(users):
    demo_users = {"rep@example.com": users["rep"], "marketer@example.com": users["marketer"]}

    assert seed_digest(demo_users) == {"digest_feedback_created": 1}
    db.session.commit()
    assert seed_digest(demo_users) == {"digest_feedback_created": 0}

    digest = compose(users["rep"], last_complete_week())
    assert digest.summary == "1 reply to your feedback"


def test_a_rep_is_reminded_of_current_briefs_they_have_not_read(users):
    rep, marketer = users["rep"], users["marketer"]
    today = local_today()
    briefs = {}
    for name, starts, ends, status in [
        ("Spring launch", today - timedelta(days=3), today + timedelta(days=3), "published"),
        ("Already read", today - timedelta(days=3), today + timedelta(days=3), "published"),
        ("Still a draft", today, today + timedelta(days=3), "draft"),
        ("Over", today - timedelta(days=9), today - timedelta(days=1), "published"),
    ]:
        briefs[name] = Campaign(
            name=name, starts_on=starts, ends_on=ends, status=status, owner=marketer
        )
        db.session.add(briefs[name])
    db.session.flush()
    db.session.add(CampaignRead(campaign_id=briefs["Already read"].id, user_id=rep.id))
    db.session.commit()

    digest = compose(rep, WEEK)

    (brief,) = next(s for s in digest.sections if s.heading == "Campaign briefs to read").items
    assert (brief.title, brief.link) == (
        "Spring launch",
        f"/campaigns/{briefs['Spring launch'].id}",
    )


def test_a_long_section_lists_the_first_items_and_links_to_the_rest(client_as, users, monkeypatch):
    monkeypatch.setattr("portal.digest.summary.MAX_ITEMS", 2)
    for n in range(3):
        submit_request(users["rep"], f"Request number {n}", stage("decision"))
    db.session.commit()

    (waiting,) = [s for s in compose(users["marketer"], WEEK).sections if s.total]
    assert (len(waiting.items), waiting.total, waiting.more) == (2, 3, 1)
    text = page_text(client_as("marketer").get("/digest?week=2026-W48"))
    assert "…and 1 more" in text
    assert 'href="/requests?status=open"' in text
