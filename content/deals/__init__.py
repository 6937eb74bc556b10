"""Deals: a rep's sales opportunities, typed in, synced by the API or imported from a CRM."""
