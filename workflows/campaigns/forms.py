"""The form marketers write a campaign brief with.

The rules (required fields, lengths, dates in order, live assets) live in
workflows.campaigns.services; the form reuses its limits and messages so an error reads the same
wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.kernel.forms import bounded_text, chosen_id
from workflows.campaigns import services as campaigns

DATE_INVALID = "Write the date as YYYY-MM-DD, e.g. 2026-03-31."


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
    asset_ids = SelectMultipleField(
        "Linked assets",
        description="Live assets reps should send. Hold Ctrl (⌘ on a Mac) to pick several.",
        coerce=chosen_id,
        validate_choice=False,
        render_kw={"size": 10},
    )
    # When the campaign was last saved as the editor saw it; a save based on an older
    # version is refused instead of overwriting someone else's words.
    based_on = HiddenField()

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for asset in campaigns.linkable_assets(campaign):
            label = campaigns.asset_title(asset)
            if not asset.is_live:
                label += " (no longer live)"
            choices.append(SelectChoice(asset.id, label))
        self.asset_ids.choices = choices

    def chosen_assets(self) -> list[int]:
        """The ids picked; a value that is no id stays in (as NONE_CHOSEN) so the service
        refuses it rather than dropping it unseen."""
        return list(self.asset_ids.data or [])
