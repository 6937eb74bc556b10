"""The kernel every feature builds on: configuration, extensions, accounts' models, the one
``can()``, errors, ids, pagination, forms and API helpers, the OpenAPI document, report
periods, notifications and what every request gets. The kernel imports no feature."""
