"""Who may export. Registered with portal.kernel.permissions.

Admins and leaders read across the whole portal, so they may download what they read as
one archive; the rules of each feature still decide which rows it holds. An export is
its requester's alone: nobody else learns it exists.
"""

from portal.export.models import DataExport
from portal.kernel.models import Role, User
from portal.kernel.permissions import can, rule
from portal.kernel.role_rules import roles_may

EXPORTERS = frozenset({Role.LEADER, Role.ADMIN})

_exporters_may = roles_may(EXPORTERS, "export_data")


@rule("view", DataExport)
def _view_export(user: User, export: DataExport) -> bool:
    """The person who asked for it, while they may still export."""
    return export.requested_by_id == user.id and can(user, "export_data")
