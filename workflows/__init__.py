"""How people work together on content: review and publishing, comments, the audit log,
"My work", content requests, ghost-written posts, campaign briefs, field feedback, the
shared glossary, and collections with onboarding paths. Workflows build on content and
the portal's kernel."""
