"""Flask extensions, created unbound so every package can import them without cycles."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

# Named constraints let Alembic alter and drop them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, on every database.

    PostgreSQL would otherwise shift aware values by the session time zone and SQLite
    drops the zone altogether.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)
# The base class of every model. mypy cannot take a base class from an attribute such as
# db.Model (python/mypy#8603); db.Model is Base with Flask-SQLAlchemy's mixins added.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


class Entity(Model):
    """A table whose rows are keyed by an integer ``id``: nearly every model is one.

    The key comes first in the table, as if declared on the model itself, and
    ``repr`` names the row by its class, key and status (for the models that have one).
    """

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)

    def __repr__(self) -> str:
        # Read from the loaded state only: a repr must never query (nor fail on a row the
        # session let go of), and a computed ``status`` property is not the column.
        loaded = self.__dict__
        status = f" {loaded['status']}" if isinstance(loaded.get("status"), str) else ""
        return f"<{type(self).__name__} {loaded.get('id')}{status}>"


login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Turn on WAL, a busy timeout and foreign keys for every SQLite connection."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
