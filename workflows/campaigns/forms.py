"""The form marketers write a campaign brief with.

The rules (required fields, lengths, dates in order, live assets) live in
workflows.campaigns.services; the form reuses its limits and messages so an error reads the same
wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.kernel.forms import bounded_text, id_choices, id_select
from workflows.campaigns import services as campaigns

DATE_INVALID = "Write the date as YYYY-MM-DD, e.g. 2026-03-31."


def _asset_label(asset) -> str:
    label = campaigns.asset_title(asset)
    return label if asset.is_live else f"{label} (no longer live)"


class CampaignForm(FlaskForm):
    name = bounded_text(
        StringField,
        "Campaign name",
        max_length=campaigns.NAME_MAX,
        too_long=campaigns.NAME_TOO_LONG,
        required=InputRequired(message=campaigns.NAME_MISSING),
    )
    starts_on = DateField(
        "Starts on",
        validators=[InputRequired(message=campaigns.STARTS_MISSING)],
        invalid_value_message=DATE_INVALID,
    )
    ends_on = DateField(
        "Ends on",
        description="The last day of the campaign; reps see it until that day is over.",
        validators=[InputRequired(message=campaigns.ENDS_MISSING)],
        invalid_value_message=DATE_INVALID,
    )
    audience = bounded_text(
        StringField,
        "Audience",
        max_length=campaigns.AUDIENCE_MAX,
        too_long=campaigns.AUDIENCE_TOO_LONG,
        description="Whom reps should talk to, e.g. “CFOs of mid-market retailers”.",
    )
    key_messages = TextAreaField(
        "Key messages",
        description="Markdown. What every customer should hear; needed before publishing.",
        validators=[Optional(), Length(max=campaigns.TEXT_MAX, message=campaigns.TEXT_TOO_LONG)],
        render_kw={"rows": 8},
    )
    talking_points = TextAreaField(
        "Talking points for reps",
        description="Markdown. Openers, answers to objections, questions to ask.",
        validators=[Optional(), Length(max=campaigns.TEXT_MAX, message=campaigns.TEXT_TOO_LONG)],
        render_kw={"rows": 8},
    )
    # The service decides which ids may be linked, with its own message: an asset
    # archived while the form was open is refused by name, not as "not a valid choice".
    asset_ids = id_select(
        "Linked assets",
        multiple=True,
        description="Live assets reps should send.",
        render_kw={"size": 10},
    )
    # When the campaign was last saved as the editor saw it; a save based on an older
    # version is refused instead of overwriting someone else's words.
    based_on = HiddenField()

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.asset_ids.choices = id_choices(campaigns.linkable_assets(campaign), _asset_label)

    def chosen_assets(self) -> list[int]:
        """The ids picked; a value that is no id stays in (as NONE_CHOSEN) so the service
        refuses it rather than dropping it unseen."""
        return list(self.asset_ids.data or [])
