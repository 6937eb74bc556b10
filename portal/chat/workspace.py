"""The chat workspace the admin configured through the environment: which channels are
offered, and how Slack is reached. Secrets are read here and never shown."""

from dataclasses import dataclass

from flask import current_app

from portal.chat.models import Channel


@dataclass(frozen=True)
class Workspace:
    """What is configured, without the secrets themselves."""

    slack_bot: bool
    slack_webhook: bool
    slash_command: bool
    teams: bool

    @property
    def slack(self) -> bool:
        return self.slack_bot or self.slack_webhook

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The channels people may route their notifications to, in the page's order."""
        offered = []
        if self.slack:
            offered.append(Channel.SLACK)
        if self.teams:
            offered.append(Channel.TEAMS)
        return tuple(offered)


def workspace() -> Workspace:
    """The current application's chat configuration."""
    config = current_app.config
    return Workspace(
        slack_bot=bool(config.get("SLACK_BOT_TOKEN")),
        slack_webhook=bool(config.get("SLACK_WEBHOOK_URL")),
        slash_command=bool(config.get("SLACK_SIGNING_SECRET")),
        teams=bool(config.get("TEAMS_WEBHOOK_URL")),
    )


def slack_api_url(method: str) -> str:
    """The address of a Slack Web API method (``chat.postMessage``)."""
    return current_app.config["SLACK_API_URL"].rstrip("/") + "/" + method


def absolute(path: str) -> str:
    """A site path as a full address people can open from their chat."""
    return current_app.config["BASE_URL"].rstrip("/") + path
