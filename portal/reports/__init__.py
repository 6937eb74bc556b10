"""Leader reports: content usage, influence on wins, evidence, gaps, adoption, stage
coverage, feedback and ghost-writing. Each report is a module of its own (its page, CSV
and JSON), its queries are beside it in ``queries``, and ``feature.register`` adds them
all, each in its place on the dashboard."""
