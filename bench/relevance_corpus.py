"""The labelled library for bench/relevance_bench.py: assets written for it (five of them
long articles in several sections), glossary synonyms, and queries with the asset each
should find. All names are fictional."""

# id: (title, summary, sections of the body, stages)
ASSETS = {
    1: (
        "Sales and marketing alignment playbook",
        "How both teams agree on goals, hand-offs and one pipeline.",
        [
            "Shared goals. Marketing and sales agree on one revenue target and one funnel "
            "definition before the quarter starts.",
            "The service level agreement. Marketing commits to a number of qualified leads; "
            "sales commits to follow up each within one working day.",
            "The weekly pipeline review. Both teams meet every Monday to look at stalled "
            "opportunities and the sources of new pipeline.",
            "Closing the loop. Sales records why leads were rejected so campaigns improve.",
        ],
        ("awareness", "consideration"),
    ),
    2: (
        "The buyer's journey: mapping content to each stage",
        "A guide for reps on what to send when.",
        [
            "Awareness. The buyer has a problem but no name for it: send research and "
            "short explainers, never a price sheet.",
            "Consideration. The buyer compares approaches: send comparison guides, webinars "
            "and case studies from their industry.",
            "Decision. The buyer picks a vendor: send the ROI case, security answers and "
            "references.",
            "Onboarding. After signature the journey continues with checklists and training.",
        ],
        ("awareness", "consideration", "decision"),
    ),
    3: (
        "Ghost-writing LinkedIn posts for reps",
        "Social selling that sounds like the rep, written by marketing.",
        [
            "Why ghost-writing works. Buyers read posts from people, not logos, and reps "
            "rarely have time to write.",
            "Finding the voice. Interview the rep for twenty minutes and keep their phrases.",
            "A weekly cadence. Two posts a week: one insight, one customer story.",
            "Measuring it. Track profile views, connection requests and meetings booked.",
        ],
        ("awareness",),
    ),
    4: (
        "CRM notes that managers actually read",
        "Keep call notes short so forecasts and coaching use them.",
        [
            "After every call. Write three lines: what the buyer said, what changed, the next "
            "step with a date.",
            "The weekly summary. Every Friday each rep summarises their top deals in the CRM "
            "so the forecast call takes minutes.",
            "Hygiene. Close dead opportunities and keep contact roles current.",
        ],
        ("consideration", "decision"),
    ),
    5: (
        "Continuous close for finance teams",
        "Close the books every day instead of once a month.",
        [
            "The month-end problem. Finance teams spend the first week of every month "
            "reconciling accounts by hand.",
            "Daily reconciliation. Matching bank lines as they arrive removes the crunch.",
            "Audit readiness. Every adjustment keeps its evidence, so auditors sample faster.",
            "Talking to a controller. Lead with hours saved at month end, then accuracy.",
        ],
        ("consideration",),
    ),
    6: (
        "Battlecard: Spendora",
        "How to win against Spendora in mid-market deals.",
        [
            "Spendora is cheaper per seat but charges for integrations and support. Ask about "
            "their renewal uplift and their reporting limits."
        ],
        ("consideration", "decision"),
    ),
    7: (
        "Security whitepaper",
        "SOC 2 Type II, encryption at rest and single sign-on.",
        ["Our security programme is audited yearly; penetration tests run every quarter."],
        ("consideration",),
    ),
    8: (
        "ROI calculator workbook",
        "A spreadsheet that estimates hours saved per seat.",
        ["Enter seats and hours saved to show payback."],
        ("consideration",),
    ),
    9: (
        "CFO one-pager: return on investment",
        "Payback in six months, for finance leaders.",
        ["Three-year return on investment and total cost of ownership for the CFO."],
        ("decision",),
    ),
    10: (
        "Pricing and packaging FAQ",
        "What each plan includes.",
        ["List prices are per seat per year; support and onboarding are included."],
        ("decision",),
    ),
    11: (
        "Onboarding checklist for new customers",
        "The first thirty days, step by step.",
        ["Invite your team, connect the CRM, run the first report."],
        ("onboarding",),
    ),
    12: (
        "Hospital group case study",
        "How a hospital group cut reporting time by 40%.",
        ["Healthcare compliance teams saw payback within a quarter."],
        ("decision",),
    ),
    13: (
        "Discovery call question bank",
        "Forty questions for a first call.",
        ["Ask about the current process, who signs, and what happens if nothing changes."],
        ("awareness",),
    ),
    14: (
        "Objection handling guide",
        "Answers to price, timing and incumbent objections.",
        ["When the buyer says it is too expensive, go back to the cost of doing nothing."],
        ("decision",),
    ),
    15: (
        "Marketing qualified lead definition and scoring",
        "When a lead is ready for sales.",
        ["Fit and engagement scores add up; above sixty points the lead goes to a rep."],
        ("awareness",),
    ),
    16: (
        "Sales qualified lead hand-off",
        "What a rep checks before accepting a lead.",
        ["Budget, authority, need and timing are confirmed on the first call."],
        ("consideration",),
    ),
    17: (
        "Renewal playbook for account managers",
        "Start renewals 120 days out.",
        ["Review usage, confirm the champion and propose the next term early."],
        ("retention",),
    ),
    18: (
        "Upsell email templates",
        "Three emails that open an expansion conversation.",
        ["Mention the team's usage growth and offer a short review call."],
        ("expansion",),
    ),
    19: (
        "Procurement and legal FAQ",
        "The master agreement, the data processing agreement and redlines.",
        ["Our standard terms cover liability caps, data residency and termination."],
        ("decision",),
    ),
    20: (
        "Competitive overview: Brightbook",
        "Where Brightbook wins and where we do.",
        ["Brightbook suits very small teams; we win on approvals and audit trails."],
        ("consideration",),
    ),
    21: (
        "Data migration guide",
        "Moving history from spreadsheets and legacy tools.",
        ["Export, map fields, import a sample, then migrate everything in one weekend."],
        ("onboarding",),
    ),
    22: (
        "Implementation timeline one-pager",
        "Six weeks from signature to go-live.",
        ["Week one kickoff, weeks two to four configuration, week five training."],
        ("decision", "onboarding"),
    ),
    23: (
        "Customer reference programme",
        "How to ask a happy customer to take a reference call.",
        ["Offer early access to features in return for two calls a year."],
        ("decision",),
    ),
    24: (
        "Webinar invitation email template",
        "Invite prospects to the monthly product webinar.",
        ["Short subject line, one benefit, one date, one link."],
        ("awareness",),
    ),
    25: (
        "Quarterly business review template",
        "Slides for a QBR with an executive sponsor.",
        ["Outcomes achieved, usage trends, the roadmap and next quarter's goals."],
        ("retention", "expansion"),
    ),
}

# Long articles are padded with general sections, as real articles are.
PADDING = [
    "A note on tone. Write as you would speak to a customer: plain words, short sentences.",
    "Templates. Copy the examples in the appendix and adapt the names and figures.",
    "Who to ask. The enablement team reviews drafts within two working days.",
    "Examples from the field. Teams that tried this last year shared what worked.",
    "Common mistakes. Sending everything at once, and forgetting to follow up.",
]
LONG_ARTICLES = (1, 2, 3, 4, 5)

SYNONYMS = [
    ["MQL", "marketing qualified lead"],
    ["SQL", "sales qualified lead"],
    ["ROI", "return on investment"],
    ["SLA", "service level agreement"],
    ["QBR", "quarterly business review"],
    ["DPA", "data processing agreement"],
]

# (query, stage filter or "", expected asset id, kind)
QUERIES = [
    # plain wording
    ("sales marketing alignment", "", 1, "plain"),
    ("buyer journey", "", 2, "plain"),
    ("linkedin posts reps", "", 3, "plain"),
    ("crm notes", "", 4, "plain"),
    ("continuous close", "", 5, "plain"),
    ("spendora", "", 6, "plain"),
    ("security whitepaper", "", 7, "plain"),
    ("roi calculator", "", 8, "plain"),
    ("pricing faq", "", 10, "plain"),
    ("onboarding checklist", "", 11, "plain"),
    ("hospital case study", "", 12, "plain"),
    ("discovery questions", "", 13, "plain"),
    ("objection handling", "", 14, "plain"),
    ("renewal playbook", "", 17, "plain"),
    ("upsell emails", "", 18, "plain"),
    # partial wording: one word the asset does not have
    ("buyer journey stages", "", 2, "partial"),
    ("weekly crm notes summary", "", 4, "partial"),
    ("ghostwriting linkedin reps", "", 3, "partial"),
    ("month end close automation", "", 5, "partial"),
    ("spendora battlecard pricing tips", "", 6, "partial"),
    ("sso encryption soc2 audit report", "", 7, "partial"),
    ("hours saved spreadsheet template", "", 8, "partial"),
    ("discovery call script questions", "", 13, "partial"),
    ("too expensive objection email", "", 14, "partial"),
    ("migrate spreadsheets legacy crm", "", 21, "partial"),
    ("go-live timeline weeks plan", "", 22, "partial"),
    ("reference call happy customers programme", "", 23, "partial"),
    ("webinar invite subject line examples", "", 24, "partial"),
    # typos
    ("aligment", "", 1, "typo"),
    ("secuirty whitepaper", "", 7, "typo"),
    ("spendora batlecard", "", 6, "typo"),
    ("continous close", "", 5, "typo"),
    ("onbaording checklist", "", 11, "typo"),
    ("objection handeling", "", 14, "typo"),
    ("renwal playbook", "", 17, "typo"),
    ("brightbok", "", 20, "typo"),
    ("hosptial case study", "", 12, "typo"),
    ("procurment faq", "", 19, "typo"),
    ("webinar invitaton", "", 24, "typo"),
    ("migraton guide", "", 21, "typo"),
    ("discovrey questions", "", 13, "typo"),
    ("reconcilation daily", "", 5, "typo"),
    # synonyms
    ("mql definition", "", 15, "synonym"),
    ("sql handoff", "", 16, "synonym"),
    ("return on investment cfo", "", 9, "synonym"),
    ("sla marketing sales", "", 1, "synonym"),
    ("qbr slides", "", 25, "synonym"),
    ("dpa redlines", "", 19, "synonym"),
    ("mql scoring", "", 15, "synonym"),
    ("cfo roi", "", 9, "synonym"),
    # hyphen and possessive variants
    ("ghost writing", "", 3, "variant"),
    ("buyers journey", "", 2, "variant"),
    ("golive timeline", "", 22, "variant"),
    ("sales-qualified lead", "", 16, "variant"),
    # stage filters
    ("journey", "decision", 2, "stage"),
    ("lead", "awareness", 15, "stage"),
    ("spendora", "decision", 6, "stage"),
    ("checklist", "onboarding", 11, "stage"),
    ("email", "expansion", 18, "stage"),
    ("review", "retention", 25, "stage"),
    # long articles: a passage deep inside
    ("weekly pipeline review stalled opportunities", "", 1, "long"),
    ("rejected leads campaigns", "", 1, "long"),
    ("comparison guides webinars", "", 2, "long"),
    ("interview rep voice", "", 3, "long"),
    ("forecast call friday", "", 4, "long"),
    ("auditors evidence adjustments", "", 5, "long"),
    ("controller hours saved", "", 5, "long"),
]
