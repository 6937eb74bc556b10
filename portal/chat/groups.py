"""The groups of notification kinds a person routes to chat, one checkbox each.

Every kind the kernel knows belongs to exactly one group; a test walks ``KINDS`` so a new
kind cannot be left out of the settings page.
"""

from enum import StrEnum


class Group(StrEnum):
    REVIEWS = "reviews"
    POSTS = "posts"
    BUYERS = "buyers"
    REPLIES = "replies"
    OTHER = "other"


LABELS = {
    Group.REVIEWS: "Reviews and invitations",
    Group.POSTS: "Ghost-written posts",
    Group.BUYERS: "Buyer opens and share links",
    Group.REPLIES: "Comments, mentions and replies",
    Group.OTHER: "Everything else (requests, campaigns, glossary, paths, imports, meetings)",
}

KINDS_BY_GROUP: dict[Group, frozenset[str]] = {
    Group.REVIEWS: frozenset(
        {
            "review_requested",
            "changes_requested",
            "approved",
            "published",
            "invited",
            "draft_edited",
        }
    ),
    Group.POSTS: frozenset(
        {"post_sent", "post_approved", "post_changes_requested", "post_declined", "post_published"}
    ),
    Group.BUYERS: frozenset({"buyer_opened", "links_stopped"}),
    Group.REPLIES: frozenset(
        {"comment", "mentioned", "post_comment", "feedback_received", "feedback_replied"}
    ),
    Group.OTHER: frozenset(
        {
            "request_submitted",
            "request_accepted",
            "request_declined",
            "request_fulfilled",
            "campaign_published",
            "term_to_sign",
            "term_agreed",
            "path_assigned",
            "deals_imported",
            "action_item_assigned",
            "action_item_due",
            "action_item_closed",
            "meeting_pack",
        }
    ),
}

_GROUP_OF = {kind: group for group, kinds in KINDS_BY_GROUP.items() for kind in kinds}


def group_of(kind: str) -> Group:
    """The group a notification kind is routed with; a kind no group names is "other"."""
    return _GROUP_OF.get(kind, Group.OTHER)
