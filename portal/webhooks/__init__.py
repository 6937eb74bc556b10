"""Outbound webhooks: admins register endpoints for the portal's events; each event is
delivered as signed JSON, in order per endpoint, retried with growing delays for a day,
with a delivery log and "Send again"."""
