"""The person's chat settings form and the admins' test-message form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from portal.chat.groups import LABELS, Group
from portal.chat.models import CHANNEL_NAMES, MAX_MEMBER_ID, MAX_URL, Channel


class ChatSettingsForm(FlaskForm):
    slack_member_id = StringField(
        "Your Slack member ID", validators=[Optional(), Length(max=MAX_MEMBER_ID)]
    )
    teams_url = StringField(
        "Your own Teams workflow URL (optional)", validators=[Optional(), Length(max=MAX_URL)]
    )


def route_field(group: Group, channel: Channel) -> str:
    return f"route_{channel}_{group}"


def settings_form(channels: tuple[Channel, ...]) -> type[ChatSettingsForm]:
    """The settings form with one checkbox per group and offered channel."""
    fields = {
        route_field(group, channel): BooleanField(f"{LABELS[group]} in {CHANNEL_NAMES[channel]}")
        for group in Group
        for channel in channels
    }
    return type("ChatSettingsRoutesForm", (ChatSettingsForm,), fields)


def chosen_routes(form: ChatSettingsForm, channels: tuple[Channel, ...]):
    """The (group, channel) pairs ticked on ``form``."""
    return frozenset(
        (group, channel)
        for group in Group
        for channel in channels
        if getattr(form, route_field(group, channel)).data
    )


class TestMessageForm(FlaskForm):
    channel = SelectField("Chat tool", choices=[])

    def offer(self, channels: tuple[Channel, ...]) -> "TestMessageForm":
        self.channel.choices = [(channel.value, CHANNEL_NAMES[channel]) for channel in channels]
        return self
