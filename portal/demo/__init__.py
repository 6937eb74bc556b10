"""Demo data for ``flask --app portal seed-demo``: a story of users, assets, deals and
work in progress."""
