"""Who may configure chat delivery and read its log: admins."""

from portal.kernel.models import ADMINS
from portal.kernel.role_rules import roles_may

_admins_may = roles_may(ADMINS, "manage_chat")
