"""Forms for ghost-written posts and voice profiles.

The rules live in workflows.posts.services; the forms reuse its limits so a field error reads the
same wherever it comes from.
"""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from content.library.models import Asset, AssetRevision
from portal.kernel.extensions import db
from portal.kernel.forms import bounded_text, id_select, optional_date
from portal.kernel.models import Role, User
from workflows.posts import services as posts
from workflows.posts.models import CHANNELS

# The linked-asset picker lists this many live assets, newest first.
ASSET_CHOICES_MAX = 300


def rep_choices() -> list[SelectChoice]:
    reps = db.session.scalars(
        select(User).where(User.role == Role.REP, User.active.is_(True)).order_by(User.name)
    )
    return [SelectChoice(rep.email, f"{rep.name} ({rep.email})") for rep in reps]


def _asset_choices() -> list[SelectChoice]:
    rows = db.session.execute(
        select(Asset.id, AssetRevision.title)
        .join(AssetRevision, AssetRevision.id == Asset.live_revision_id)
        .where(Asset.live_clause())
        .order_by(Asset.published_at.desc(), Asset.id.desc())
        .limit(ASSET_CHOICES_MAX)
    )
    return [SelectChoice(asset_id, title) for asset_id, title in rows]


class PostTextForm(FlaskForm):
    """The words of a post: what a rep edits in place."""

    title = bounded_text(
        StringField,
        "Working title",
        max_length=posts.TITLE_MAX,
        required=InputRequired(),
        description="For the queue and notifications; LinkedIn posts have no title.",
    )
    body = TextAreaField(
        "Post (Markdown)",
        validators=[InputRequired(), Length(max=posts.BODY_MAX)],
        render_kw={"rows": 14, "data-character-count": "post-count"},
    )
    base_revision = HiddenField()


class PostForm(PostTextForm):
    """A ghost-writer's full form: the words and the details around them."""

    rep = SelectField(
        "Rep of record",
        validators=[InputRequired(message="Choose a rep.")],
        # The service names the problem (a rep deactivated since the page was loaded).
        validate_choice=False,
    )
    channel = SelectField(
        "Channel",
        choices=[SelectChoice(value, label) for value, label in CHANNELS.items()],
        default="linkedin",
        validators=[InputRequired()],
    )
    topic = bounded_text(StringField, "Topic", max_length=posts.TOPIC_MAX)
    due_on = optional_date("Due")
    # The service checks each id (live, visible) and says which one is wrong.
    asset_ids = id_select(
        "Linked assets",
        multiple=True,
        description="Optional: the published assets the post promotes.",
        validators=[Optional()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rep.choices = [SelectChoice("", "Choose a rep…"), *rep_choices()]
        self.asset_ids.choices = _asset_choices()


class VoiceProfileForm(FlaskForm):
    tone = bounded_text(
        TextAreaField,
        "Tone notes",
        max_length=posts.TONE_MAX,
        description="How you write: plain or punchy, stories or numbers, words you never use.",
        rows=6,
    )
    topics = bounded_text(
        StringField,
        "Topics of expertise",
        max_length=posts.TOPICS_MAX,
        description="Separated by commas, e.g. procurement, ERP integrations, retail.",
    )
