"""Builders for the ratings, usage and share-link tests."""

from sqlalchemy import func, select

from content.deals.models import Deal
from content.usage import share_links
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from tests.factories import login

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


def make_deal(owner, name: str = "Acme renewal", status: str = "open") -> Deal:
    """A committed deal of ``owner``'s, typed in by hand."""
    deal = Deal(name=name, account=f"{name} Inc.", owner_id=owner.id, status=status)
    db.session.add(deal)
    db.session.commit()
    return deal


def share(asset, user, **options) -> tuple:
    """A committed share link to ``asset`` made by ``user``: (link, clear token)."""
    link, token = share_links.create_link(asset, user, **options)
    db.session.commit()
    return link, token


def events(kind: str, **where) -> list[UsageEvent]:
    """The usage events of ``kind`` (filtered by column values), oldest first."""
    db.session.expire_all()  # see what requests committed
    query = select(UsageEvent).where(UsageEvent.kind == kind).filter_by(**where)
    return list(db.session.scalars(query.order_by(UsageEvent.id)))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def signed_in(app, user):
    """A client signed in as ``user`` whose welcome message has been shown already."""
    client = login(app.test_client(), user)
    client.get("/library")
    return client
