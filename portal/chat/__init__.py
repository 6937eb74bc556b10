"""Slack and Microsoft Teams: each person routes groups of their notifications to chat, the
delivery jobs post them after the commit, admins see the delivery log, and the /tandem
slash command answers a search from Slack."""
