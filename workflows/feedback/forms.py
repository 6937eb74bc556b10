"""Forms for sending field feedback and for triaging it.

The rules (which kinds, lengths, what a rep may name) live in workflows.feedback.services; the
selects accept any submitted id so that the service, not WTForms' "Not a valid choice",
explains a refusal, in the same words as the API would.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from content.deals.services import asset_title
from content.library.browsing import taxonomy_choices
from portal.kernel.forms import bounded_text, id_choices, id_select
from workflows.feedback import services as feedback
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES


class FeedbackForm(FlaskForm):
    kind = SelectField(
        "Kind",
        validators=[InputRequired(message=feedback.KIND_MISSING)],
        validate_choice=False,
    )
    text = bounded_text(
        TextAreaField,
        "What did you hear?",
        max_length=feedback.TEXT_MAX,
        too_long=feedback.TEXT_TOO_LONG,
        required=InputRequired(message=feedback.TEXT_MISSING),
        description="In the customer's words where you can: who said it, and in what situation.",
        rows=6,
    )
    stage = id_select("Buyer stage")
    asset = id_select("About an asset")
    deal = id_select("Deal")
    campaign = id_select("Campaign")
    next = HiddenField(validators=[Optional(), Length(max=2000)])

    def __init__(self, sender, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice("", "Choose a kind…")] + [
            SelectChoice(key, label) for key, label in FEEDBACK_KINDS.items()
        ]
        self.stage.choices = id_choices(
            taxonomy_choices("stages")["stages"], none="No particular stage"
        )
        choices = feedback.sender_choices(sender)
        self.asset.choices = id_choices(choices["assets"], asset_title, none="No asset")
        self.deal.choices = id_choices(
            choices["deals"], lambda deal: f"{deal.name} ({deal.account})", none="No deal"
        )
        self.campaign.choices = id_choices(choices["campaigns"], none="No campaign")

    def feedback_input(self) -> feedback.FeedbackInput:
        return feedback.FeedbackInput(
            kind=self.kind.data or "",
            text=self.text.data or "",
            stage_id=self.stage.data or None,
            asset_id=self.asset.data or None,
            deal_id=self.deal.data or None,
            campaign_id=self.campaign.data or None,
        )


class TriageForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(key, label) for key, label in FEEDBACK_STATUSES.items()],
        validate_choice=False,
    )
    reply = bounded_text(
        TextAreaField,
        "Reply to the rep",
        max_length=feedback.REPLY_MAX,
        too_long=feedback.REPLY_TOO_LONG,
        description="The rep sees this under My feedback and is told when it changes.",
        rows=5,
    )
    version = HiddenField()
