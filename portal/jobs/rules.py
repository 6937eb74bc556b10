"""Who may see, retry and discard failed jobs: admins."""

from portal.kernel.jobs import FailedJob
from portal.kernel.models import ADMINS
from portal.kernel.role_rules import roles_may

_admins_may = roles_may(ADMINS, "manage_jobs", ("view", FailedJob))
