"""Alignment meetings: a recurring sales–marketing meeting, the pack of figures it works
from, and the decisions and action items it records."""
