"""Who may manage webhook endpoints and read their deliveries: admins."""

from portal.kernel.models import ADMINS
from portal.kernel.role_rules import roles_may
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint

_admins_may = roles_may(
    ADMINS, "manage_webhooks", ("view", WebhookEndpoint), ("view", WebhookDelivery)
)
