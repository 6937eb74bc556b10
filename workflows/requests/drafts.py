"""The draft an accepted content request starts: its brief, and the requester invited to
review it."""

from content.library.services import SUMMARY_MAX, AssetInput, create_asset
from workflows.requests.models import ContentRequest, request_link, shorten
from workflows.review import collaborators

SUMMARY_LENGTH = min(300, SUMMARY_MAX)


def brief(content_request: ContentRequest) -> str:
    """The Markdown brief a draft starts from: everything the requester told marketing."""
    requester = content_request.requester
    facts = [f"- **Requested by:** {requester.name} ({requester.email})"]
    if content_request.stage is not None:
        facts.append(f"- **Buyer stage:** {content_request.stage.name}")
    if content_request.persona is not None:
        facts.append(f"- **Persona:** {content_request.persona.name}")
    if content_request.due_on is not None:
        due = content_request.due_on
        facts.append(f"- **Needed by:** {due.day} {due:%B %Y}")
    facts.append(f"- **Request:** [#{content_request.id}]({request_link(content_request)})")
    sections = ["## Brief", "\n".join(facts), "### What is needed", _quoted(content_request.need)]
    if content_request.deal_context:
        sections += ["### Deal context", _quoted(content_request.deal_context)]
    return "\n\n".join(sections) + "\n"


def _quoted(text: str) -> str:
    # Quoted, so headings or lists in the rep's words stay inside their section.
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines())


def start_draft(content_request: ContentRequest, marketer, title: str) -> None:
    """The draft asset built from the brief, with the requester invited to review it
    (unless inactive or the marketer themselves)."""
    persona = content_request.persona
    stage = content_request.stage
    assert stage is not None, "a request whose stage was deleted cannot be accepted"
    content_request.asset = create_asset(
        marketer,
        AssetInput(
            title=title,
            summary=shorten(content_request.need, SUMMARY_LENGTH),
            body=brief(content_request),
            stages=[stage],
            personas=[persona] if persona is not None else [],
        ),
    )
    requester = content_request.requester
    if requester.active and requester.id != marketer.id:
        collaborators.invite(content_request.asset, marketer, requester.email, "reviewer")
