"""Review and publishing: the asset's state machine, the sign-off policy, collaborators,
who hears about each step, and the transitions' pages and API."""
