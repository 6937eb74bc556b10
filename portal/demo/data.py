"""The demo story's users and assets, as data; portal.demo.seed turns them into rows.

Fernhill is a fictional spend-management platform; its competitors and customers are
fictional too.
"""

from dataclasses import dataclass
from typing import NamedTuple

from portal.kernel.models import Role

MARKETER = "marketer@example.com"
MARKETER2 = "marketer2@example.com"

# (email, name, role, department)
DEMO_USERS = [
    ("rep@example.com", "Riley Chen", Role.REP, "sales"),
    ("rep2@example.com", "Marcus Okafor", Role.REP, "sales"),
    (MARKETER, "Priya Raman", Role.MARKETER, "marketing"),
    (MARKETER2, "Jonas Lindqvist", Role.MARKETER, "marketing"),
    ("leader@example.com", "Dana Whitfield", Role.LEADER, "sales"),
    ("marketing-lead@example.com", "Sofia Marquez", Role.LEADER, "marketing"),
    ("admin@example.com", "Sam Adeyemi", Role.ADMIN, "sales"),
]


class DemoRevision(NamedTuple):
    """A second revision: each (old, new) edit is applied to the title, summary and body."""

    note: str
    edits: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DemoAsset:
    """One demo asset. Taxonomy is given as space-separated slugs to keep the data short."""

    title: str
    summary: str
    body: str
    content_type: str
    stages: str
    owner: str
    personas: str = ""
    industries: str = ""
    tags: str = ""
    review_in: int | None = None  # days from today; negative means the review is overdue
    file: str | None = None  # filename of a generated upload; the suffix picks the format
    revision: DemoRevision | None = None
    published: bool = True
    # A draft submitted for review by these invited reviewers (emails).
    in_review_with: tuple[str, ...] = ()


DEMO_ASSETS = [
    DemoAsset(
        "Halvorsen Manufacturing closes the books six days faster",
        "A 1,900-person industrial parts maker replaced paper purchase orders and three "
        "expense tools with Fernhill and cut its month-end close from 11 days to 5.",
        """
        ## At a glance
        | | Before Fernhill | After 9 months |
        |---|---|---|
        | Month-end close | 11 days | 5 days |
        | Invoices touched by hand | 82% | 14% |
        | Cost per invoice | $14.20 | $3.90 |

        ## The challenge
        Halvorsen runs four plants in Ohio and Michigan. Plant managers approved purchase
        orders on paper, and an AP team of six keyed **2,300 invoices a month** into the ERP.
        Accruals were guesswork, so the controller held the close open until every plant
        had mailed its paperwork.

        ## What changed
        - Three-way matching of PO, receipt and invoice runs automatically in Fernhill
        - Plant managers approve from their phones, with the budget shown next to each request
        - Coded transactions sync to Microsoft Dynamics every hour

        ## The result
        "We close in five days and I trust the accruals," says CFO **Ingrid Halvorsen**.
        The AP team now works on vendor terms instead of data entry, and captured
        **$310,000 in early-payment discounts** in the first year.
        """,
        content_type="case-study",
        stages="consideration decision",
        owner=MARKETER,
        personas="cfo operations-manager",
        industries="manufacturing",
        tags="customer-story roi integration",
        file="halvorsen-case-study.pdf",
    ),
    DemoAsset(
        "Meridian Health Partners cuts invoice processing cost by 71%",
        "A network of 38 outpatient clinics moved supplier invoices and clinic purchasing "
        "onto Fernhill and now pays 96% of its suppliers on time.",
        """
        ## Customer
        Meridian Health Partners operates **38 outpatient clinics** across Arizona and New
        Mexico, supported by a shared-services finance team of 22.

        ## The problem
        - 9,000 supplier invoices a month arrived by email, fax and post
        - Clinic managers bought supplies on personal cards and waited weeks to be repaid
        - Late payments put two medical-supply contracts at risk

        ## The solution
        Meridian routed every invoice to a single Fernhill inbox. Fernhill reads each
        invoice, matches it to the clinic's purchase order and sends only exceptions to an
        approver. Clinic managers received virtual cards with monthly limits per clinic.

        ## Results after 12 months
        - **71% lower cost per invoice** ($11.80 to $3.40)
        - **96% of suppliers paid on time**, up from 64%
        - **$480,000** saved in late fees and recovered discounts
        - Finance headcount flat while the network opened six new clinics
        """,
        content_type="case-study",
        stages="consideration decision",
        owner=MARKETER2,
        personas="cfo operations-manager",
        industries="healthcare",
        tags="customer-story roi",
        review_in=-21,
    ),
    DemoAsset(
        "Crestview Credit Union passes its audit with zero spend findings",
        "A credit union with $4.2B in assets used Fernhill's approval trails and role-based "
        "controls to clear its external audit without a single finding on spend.",
        """
        ## Why Crestview looked for a change
        Crestview's examiners raised **14 findings** on vendor payments in 2022: approvals
        in email, shared logins to the banking portal and no evidence of segregation of
        duties.

        ## How Fernhill helped
        - **Segregation of duties** enforced in the product: whoever creates a vendor
          cannot pay it
        - Every approval, edit and payment recorded in an immutable audit log
        - SSO through Okta with SCIM provisioning, so leavers lose access the same day
        - Changes to vendor bank details need a call-back check and a second approver

        ## Outcome
        The 2024 audit closed with **zero findings** on spend and payments. Audit
        preparation fell from **three weeks to four days**, because the auditors received
        read-only Fernhill access instead of binders of printouts.

        > "Our examiners asked for evidence and we sent them a link." - CIO, Crestview
        """,
        content_type="case-study",
        stages="decision",
        owner=MARKETER,
        personas="cfo cio",
        industries="financial-services",
        tags="customer-story security",
    ),
    DemoAsset(
        "Oakmont Outfitters controls store spend across 140 locations",
        "An outdoor retailer gave every store manager a Fernhill card with category limits "
        "and saw out-of-policy spend fall 83% in one quarter.",
        """
        ## Background
        Oakmont Outfitters sells outdoor gear in **140 stores** across the Pacific Northwest
        and the Rockies. Store managers paid for repairs, cleaning and local marketing with
        petty cash and one shared company card.

        ## What Oakmont rolled out
        1. A Fernhill card for every store manager, limited to approved merchant categories
        2. A monthly budget per store, visible to district managers in real time
        3. Receipt capture by text message: managers snap a photo and Fernhill matches it

        ## Results in the first quarter
        - Out-of-policy spend down **83%**
        - Petty cash retired in all 140 stores
        - Receipt compliance up from 58% to **97%**
        - District managers save about **4 hours a week** on expense reviews

        "Store managers finally know what they can spend, and I see it the same day," says
        Oakmont's director of store operations.
        """,
        content_type="case-study",
        stages="consideration",
        owner=MARKETER2,
        personas="operations-manager end-user",
        industries="retail",
        tags="customer-story",
    ),
    DemoAsset(
        "Brightlane Software scales from 80 to 600 employees without adding AP headcount",
        "A fast-growing SaaS company kept a two-person finance operations team while "
        "headcount grew sevenfold, and used Fernhill data to cut software spend by 18%.",
        """
        ## The company
        Brightlane builds scheduling software for field-service businesses. It grew from
        **80 to 600 employees** in three years, with sales teams in five countries.

        ## What got hard
        - Every new hire meant another card, another expense report, another approval chain
        - Subscriptions multiplied: finance found **212 tools** paid on company cards
        - Sales T&E was reconciled a month late, so budgets and commissions drifted

        ## Why Fernhill
        Brightlane chose Fernhill for multi-entity support, the native NetSuite sync and the
        policy engine. Cards are issued automatically when HR adds a new hire.

        ## Results
        - Finance operations team still **two people**
        - **18% lower software spend** after consolidating duplicate subscriptions
        - Expense reports submitted in **1.6 days** on average, down from 19
        - Month-end close down from 8 days to 4
        """,
        content_type="case-study",
        stages="consideration expansion",
        owner=MARKETER,
        personas="cfo vp-sales",
        industries="software",
        tags="customer-story roi",
        revision=DemoRevision(
            "Updated with Brightlane's 2025 figures",
            (
                ("80 to 600 employees", "80 to 750 employees"),
                ("sevenfold", "more than ninefold"),
                ("18%", "22%"),
                ("in three years", "in four years"),
            ),
        ),
    ),
    DemoAsset(
        "How Sunbury Regional Hospital went live on Fernhill in 30 days",
        "A 420-bed hospital connected Fernhill to its ERP and identity provider, trained 600 "
        "approvers and went live in 30 days without disrupting supplier payments.",
        """
        ## The rollout plan
        Sunbury's IT and finance teams agreed a **30-day plan** with Fernhill's onboarding
        team:

        | Week | Milestone |
        |---|---|
        | 1 | SSO with Microsoft Entra ID; Workday Financials connected in test |
        | 2 | Approval chains and cost centers imported; policy rules configured |
        | 3 | Pilot with 3 departments and 40 approvers |
        | 4 | Go-live for all 600 approvers; the old AP inbox switched off |

        ## What made it work
        - A named onboarding manager and a weekly 30-minute check-in
        - The pre-built Workday connector: **no custom integration code**
        - Approver training as 6-minute videos instead of classroom sessions

        ## First 90 days
        - **99.4%** of invoices synced to Workday without manual correction
        - Average approval time down from **6.2 days to 1.3 days**
        - No missed supplier payments during the cutover
        """,
        content_type="case-study",
        stages="onboarding",
        owner=MARKETER2,
        personas="cio operations-manager",
        industries="healthcare",
        tags="customer-story integration",
    ),
    DemoAsset(
        "Keystone Components recovers $1.2M in duplicate and overpaid invoices",
        "A precision-parts manufacturer ran Fernhill's duplicate detection over two years of "
        "payables and recovered $1.2M, paying for the platform eleven times over.",
        """
        ## The situation
        Keystone Components buys from **1,400 suppliers**. Invoices arrive as PDFs, paper
        and EDI, and the same invoice was sometimes entered at two different plants.

        ## What Fernhill found
        Within two weeks of connecting Keystone's payables history, Fernhill flagged:
        - **312 duplicate invoices** paid twice, worth $740,000
        - **96 invoices** billed above the contracted price, worth $385,000
        - **41 payments** to vendors with expired tax forms, worth $95,000

        ## Outcome
        Keystone recovered **$1.2 million** in supplier credits within six months.
        Duplicate detection now runs before every payment run.

        ## Talking point for reps
        When a CFO calls AP automation "nice to have", ask how they know they have never
        paid an invoice twice. Keystone thought it had not.
        """,
        content_type="case-study",
        stages="awareness decision",
        owner=MARKETER,
        personas="cfo",
        industries="manufacturing",
        tags="customer-story roi",
    ),
    DemoAsset(
        "Fernhill platform overview",
        "What Fernhill does, on one page: corporate cards, expenses, bill pay and procurement "
        "on one platform, connected to the ERP.",
        """
        # Spend management that finance and employees both like

        Fernhill brings **cards, expenses, bill pay and procurement** into one platform, so
        every dollar is approved before it is spent and coded before it reaches the ledger.

        ## What's inside
        - **Corporate cards**: physical and virtual cards with limits per person, team or vendor
        - **Expenses**: receipts matched automatically; policy checked before submission
        - **Bill pay**: invoices read, matched to POs and paid by ACH, card or wire
        - **Procurement**: purchase requests with budget checks and multi-step approvals
        - **Integrations**: NetSuite, Sage Intacct, Microsoft Dynamics, QuickBooks, Workday

        ## Typical results
        - Month-end close **40-60% faster**
        - Cost per invoice down **60-75%**
        - **1.5% cashback** on card spend

        Trusted by 2,800 finance teams in North America and Europe.
        """,
        content_type="one-pager",
        stages="awareness",
        owner=MARKETER2,
        personas="cfo operations-manager end-user",
        file="fernhill-overview.pdf",
    ),
    DemoAsset(
        "Fernhill security and compliance at a glance",
        "The certifications, controls and documents IT and risk teams ask for, with answers "
        "to the top questions in most security questionnaires.",
        """
        ## Certifications and reports
        | Standard | Status |
        |---|---|
        | SOC 1 Type II | Annual report, available under NDA |
        | SOC 2 Type II | Annual report, available under NDA |
        | ISO/IEC 27001 | Certified since 2021 |
        | PCI DSS Level 1 | Service provider, for card data |

        ## Controls buyers ask about
        - Encryption: **AES-256 at rest**, TLS 1.2+ in transit
        - SSO with SAML 2.0 and SCIM provisioning; MFA enforced for all admins
        - Data hosted in the US or the EU (Frankfurt)
        - Annual third-party penetration test; summary on request
        - 99.95% uptime SLA on Enterprise plans

        ## Security questionnaire tips for reps
        Send the **pre-filled SIG Lite and CAIQ** from the trust portal before the buyer
        sends their own security questionnaire. Deals that get the pack in the first call
        close **11 days faster** on average.
        """,
        content_type="one-pager",
        stages="decision",
        owner=MARKETER,
        personas="cio",
        industries="financial-services healthcare",
        tags="security",
    ),
    DemoAsset(
        "Corporate cards for field sales teams",
        "Why sales leaders move their teams to Fernhill cards: no out-of-pocket spend, "
        "expenses filed in seconds and travel budgets per rep.",
        """
        ## Your reps should sell, not file expense reports
        The average field rep spends **5 hours a month** on expense reports and carries
        **$1,200** of company spend on a personal card.

        ## With Fernhill
        - Every rep gets a card on day one, with limits for travel, meals and client events
        - Receipts are captured by photo or forwarded email and matched in seconds
        - Policy is checked at the point of sale, so nothing is rejected a month later
        - Sales leaders see T&E per rep, per territory and per deal stage

        ## What sales leaders report
        - **4.5 hours a month** back per rep
        - T&E **12% under budget** in the first two quarters
        - Expense questions to finance down 70%

        *Ask your Fernhill contact about the 30-day pilot for one sales region.*
        """,
        content_type="one-pager",
        stages="awareness consideration",
        owner=MARKETER2,
        personas="vp-sales end-user",
        industries="software",
    ),
    DemoAsset(
        "Marketing budget control without the spreadsheet",
        "For marketing leaders who track agencies, events and software in spreadsheets: see "
        "committed and actual spend per campaign in real time.",
        """
        ## The problem
        Marketing budgets are committed long before invoices arrive. Most teams track
        **agencies, events and SaaS tools** in a spreadsheet that is out of date the day it
        is shared.

        ## How Fernhill helps marketing
        - **Budgets per campaign and channel**, committed and actual spend side by side
        - Virtual cards per vendor, so a cancelled tool cannot keep charging
        - Purchase requests for agencies and events routed to the right approver
        - One-click export to your planning sheet or BI tool

        ## Typical impact
        | Metric | Before | After |
        |---|---|---|
        | Days to see actual campaign spend | 35 | 1 |
        | Unused software subscriptions | 23% of tools | under 5% |
        | Quarter-end budget surprises | common | rare |

        Marketing teams on Fernhill move **9% of budget** to better-performing campaigns
        each quarter, because they see the numbers in time.
        """,
        content_type="one-pager",
        stages="awareness",
        owner=MARKETER,
        personas="head-of-marketing",
        industries="retail software",
        tags="roi",
    ),
    DemoAsset(
        "ERP integrations: NetSuite, Sage Intacct and Microsoft Dynamics",
        "How Fernhill syncs with the major mid-market ERPs, what data flows each way and how "
        "long a typical connection takes.",
        """
        ## What syncs
        | Data | Direction | Frequency |
        |---|---|---|
        | Chart of accounts, departments, classes | ERP to Fernhill | Every 15 minutes |
        | Vendors and payment terms | Both ways | Every 15 minutes |
        | Card and expense transactions | Fernhill to ERP | Hourly or on approval |
        | Bills and payments | Both ways | Real time |

        ## Setup time
        - **NetSuite**: certified SuiteApp, connected in under 2 hours
        - **Sage Intacct**: marketplace connector, about half a day
        - **Microsoft Dynamics 365 Business Central**: 1 day including field mapping

        ## Questions IT usually asks
        - Fernhill uses OAuth tokens with least-privilege roles; no shared passwords
        - Sync errors appear in the admin console with a one-click retry
        - Custom fields and segments are supported on every plan
        """,
        content_type="one-pager",
        stages="consideration onboarding",
        owner=MARKETER2,
        personas="cio operations-manager",
        tags="integration",
    ),
    DemoAsset(
        "Fernhill pricing and packaging overview",
        "The three Fernhill plans, what each includes, and the negotiation guardrails reps "
        "can use without deal-desk approval.",
        """
        ## Plans
        | Plan | Best for | List price |
        |---|---|---|
        | Essentials | Up to 50 employees | $12 per user per month |
        | Growth | 50-1,000 employees | $18 per user per month |
        | Enterprise | Multi-entity, 1,000+ | Custom, from $60,000 a year |

        Card programs are free on every plan.

        ## What's included
        - **Essentials**: cards, expenses, one ERP connection
        - **Growth**: adds bill pay, procurement approvals and multi-currency
        - **Enterprise**: adds multi-entity, the SOC 1 report, a dedicated CSM and a 99.95% SLA

        ## Negotiation guardrails
        - Up to **10% discount** on annual prepaid contracts: rep discretion
        - 11-20%: sales manager approval; above 20%: deal desk
        - Never discount Enterprise implementation below $5,000
        - Trade discount for **multi-year terms or a case study**, never for nothing

        Pricing is valid until the end of the fiscal year; the CRM has the latest price book.
        """,
        content_type="one-pager",
        stages="decision",
        owner=MARKETER,
        personas="cfo vp-sales",
        tags="pricing",
    ),
    DemoAsset(
        "Fernhill corporate pitch deck",
        "The standard first-meeting deck: the cost of fragmented spend, the Fernhill "
        "platform, customer proof and the path to a pilot.",
        """
        Speaker notes for the 12-slide corporate deck. Use the full deck for first meetings;
        skip to slide 8 for a 15-minute version.

        ## Storyline
        1. **The problem**: finance runs spend across 4-6 tools and a dozen spreadsheets
        2. **What it costs**: mid-market companies lose **2-4% of spend** to duplicates,
           out-of-policy purchases and missed discounts
        3. **The platform**: cards, expenses, bill pay and procurement on one ledger
        4. **Proof**: Halvorsen (close 6 days faster), Meridian (71% lower invoice cost)
        5. **Next step**: a 30-day pilot with one team

        ## Slide notes
        - Slide 3: ask how many tools touch a dollar before it reaches the ERP
        - Slide 6: numbers from our 2025 State of Mid-Market Spend report
        - Slide 10: the ROI calculator slide; fill it in with the buyer's invoice volume

        ## Do not
        - Lead with cashback: CFOs see it as a gimmick until the control story has landed
        """,
        content_type="slide-deck",
        stages="awareness consideration",
        owner=MARKETER,
        personas="cfo cio operations-manager",
        tags="roi",
        file="fernhill-pitch-deck.pptx",
        revision=DemoRevision(
            "Added the procurement slide and Keystone as proof",
            (
                ("12-slide", "14-slide"),
                (
                    "5. **Next step**: a 30-day pilot with one team",
                    "5. **Procurement**: purchase requests with budget checks before money "
                    "is committed\n6. **Next step**: a 30-day pilot with one team",
                ),
                (
                    "Meridian (71% lower invoice cost)",
                    "Meridian (71% lower invoice cost),\n   Keystone ($1.2M recovered)",
                ),
            ),
        ),
    ),
    DemoAsset(
        "Executive business review (EBR) template",
        "The quarterly review deck for existing customers: value delivered, adoption, "
        "benchmarks and the expansion conversation.",
        """
        Use this deck for **quarterly business reviews** with the customer's CFO and
        Fernhill champion. Fill in the numbers from the customer's Insights dashboard three
        days before the meeting.

        ## Agenda (45 minutes)
        1. Goals agreed at kickoff, and where we stand (10 min)
        2. Value delivered: hours saved, discounts captured, cashback earned (10 min)
        3. Adoption: active cardholders, approval times, receipt compliance (10 min)
        4. Benchmarks against similar-sized customers (5 min)
        5. Next quarter: new teams, modules and entities (10 min)

        ## Value slide formula
        | Line | How to calculate |
        |---|---|
        | Hours saved | expense reports x 25 min + invoices x 9 min |
        | Discounts captured | from the Early Pay report |
        | Cashback | card spend x 1.5% |

        Customers who hold two EBRs a year renew at **97%**, against 84% for those who do
        not. Bring a customer story from their industry to every review.
        """,
        content_type="slide-deck",
        stages="expansion",
        owner=MARKETER2,
        personas="cfo vp-sales",
        tags="roi customer-story",
        file="fernhill-ebr-template.pptx",
    ),
    DemoAsset(
        "Healthcare spend controls: webinar deck",
        "Slides from our webinar with hospital finance leaders on controlling non-clinical "
        "spend, supplier payments and department budgets.",
        """
        Slides and recording from the webinar *Taking Control of Non-Clinical Spend*, hosted
        with two hospital CFOs: 410 registrants, 188 live attendees.

        ## Key points from the panel
        - Non-clinical spend (facilities, IT, services) is **30-35%** of a hospital's
          supply budget and the least controlled part of it
        - Department heads approve by email, so finance sees commitments only when
          invoices arrive
        - Contract prices are rarely enforced on off-contract purchases

        ## Polls from the session
        | Question | Answer |
        |---|---|
        | Invoices still processed on paper | 61% said "most" |
        | Time to close the month | 44% said "more than 10 days" |
        | Confidence in department budgets | 22% said "high" |

        ## How to use it
        Send the recording to hospital finance prospects early in the journey, with the
        hospital whitepaper as the follow-up.
        """,
        content_type="slide-deck",
        stages="awareness",
        owner=MARKETER,
        personas="cfo operations-manager",
        industries="healthcare",
        review_in=-45,
    ),
    DemoAsset(
        "Security architecture deep dive",
        "The deck for a buyer's security review: architecture, data flows, encryption, "
        "access controls and incident response.",
        """
        Use in the **technical security review** with the buyer's CISO or IT team. Bring a
        solutions engineer; do not present it alone.

        ## Sections
        1. Architecture: multi-tenant on AWS, isolated per customer, separate card-data
           environment
        2. Data flows: what Fernhill receives from the bank, the ERP and the identity provider
        3. Encryption: AES-256 at rest with keys in a managed KMS, TLS 1.2+ in transit
        4. Access: SSO, SCIM, role-based permissions, just-in-time access for Fernhill staff
        5. Monitoring: 24/7 security operations, **15-minute** response to critical alerts
        6. Incident response: customer notice within **48 hours**, yearly tabletop exercises

        ## Common follow-ups
        - Penetration test summary: share under NDA
        - Sub-processor list: on the trust portal
        - Data deletion: within 30 days of contract end, with a certificate
        - Banks and credit unions will ask for the **SOC 1** report as well as SOC 2
        """,
        content_type="slide-deck",
        stages="decision",
        owner=MARKETER2,
        personas="cio",
        industries="financial-services",
        tags="security integration",
    ),
    DemoAsset(
        "Customer kickoff deck: your first 30 days",
        "Run the onboarding kickoff with this deck: roles, the 30-day plan, integrations to "
        "connect and how we measure a successful launch.",
        """
        ## Who does what
        | Role | Customer | Fernhill |
        |---|---|---|
        | Project lead | Controller or finance ops manager | Onboarding manager |
        | Integrations | ERP admin, IT for SSO | Solutions engineer |
        | Training | Team champions | Enablement team |

        ## The 30-day plan
        - **Days 1-7**: connect the ERP and SSO, import cost centers and approval chains
        - **Days 8-14**: configure policies, issue cards to the pilot team
        - **Days 15-21**: pilot with 20-50 users and fix what confuses them
        - **Days 22-30**: roll out to everyone and switch off the old tools

        ## Launch success criteria
        - 90% of cardholders active in the first month
        - Receipts attached to **95%** of transactions
        - The first month closed with Fernhill data in the ERP
        """,
        content_type="slide-deck",
        stages="onboarding",
        owner=MARKETER,
        personas="operations-manager end-user",
        tags="integration",
    ),
    DemoAsset(
        "Battlecard: Fernhill vs Spendora",
        "How to win against Spendora, the legacy expense tool: where they are strong, where "
        "they are weak and how to handle their end-of-quarter pricing.",
        """
        ## Who they are
        Spendora is a **legacy expense-report tool** founded in 2009, common in companies
        with 500-5,000 employees. It is reimbursement-first: employees pay, then claim.

        ## Where we win
        - **One platform**: Spendora sells cards and AP as separate add-ons
        - **Real-time control**: our limits apply at the point of sale; Spendora checks
          policy after the fact
        - **Speed**: our customers go live in 30 days; Spendora projects take 4-6 months
        - **Mobile**: 4.8 app-store rating against 3.1

        ## Where they win
        - Deep travel-booking integration for large travel programs
        - Brand recognition with procurement teams

        ## Pricing and negotiation
        Spendora discounts hard at quarter end, often **30-40% off list**, and bundles
        three-year terms. Do not match on price. Compare **total cost**: Spendora charges per
        report plus $25,000+ in implementation fees, and its customers still pay for a
        separate AP tool. Offer a multi-year term with price protection instead.

        ## Landmine questions
        - "How long after a purchase does your team see it?"
        - "How many tools will your AP team use for invoices?"
        """,
        content_type="battlecard",
        stages="consideration decision",
        owner=MARKETER2,
        personas="cfo vp-sales",
        tags="competitive pricing",
    ),
    DemoAsset(
        "Battlecard: Fernhill vs Ledgerloop",
        "Ledgerloop is an AP-only automation tool. Position Fernhill as the platform that "
        "covers AP plus the spend that never becomes an invoice.",
        """
        ## Quick take
        Ledgerloop is a solid **AP automation point solution**, popular with manufacturers
        for its PO matching. It has no cards, no expenses and no purchase requests.

        ## Side by side
        | Topic | Fernhill | Ledgerloop |
        |---|---|---|
        | Cards and expenses | Native | Not offered |
        | PO matching | 2- and 3-way | 2-, 3- and 4-way |
        | Native ERP connectors | 9 | 5 |
        | Approval before spend | Yes, purchase requests | No, at invoice time only |

        ## Where they win
        - **4-way matching** with inspection data, relevant for plants with quality checks
        - Strong EDI support for large suppliers

        ## How to position
        Ask what share of spend never arrives as an invoice: cards, subscriptions, T&E. For
        most manufacturers it is **25-35%**, and Ledgerloop leaves it to another tool and
        another integration.
        """,
        content_type="battlecard",
        stages="consideration",
        owner=MARKETER,
        personas="cfo operations-manager",
        industries="manufacturing",
        tags="competitive integration",
        review_in=-9,
    ),
    DemoAsset(
        "Battlecard: Fernhill vs Cobaltpay",
        "Cobaltpay sells corporate cards with high cashback to startups. Win on controls, "
        "expense policy and the AP workflow they lack.",
        """
        ## Who they are
        Cobaltpay is a **card-first startup** selling to fast-growing software and retail
        companies, leading with **2% cashback** and a free plan.

        ## Where we win
        - **Policy controls**: per-category limits and pre-approvals; Cobaltpay has only
          card-level limits
        - **Bill pay and procurement**: Cobaltpay's bill pay has no PO matching
        - **Multi-entity and multi-currency** for companies with subsidiaries
        - **Support**: a named CSM from 100 employees; Cobaltpay support is chat only

        ## Where they win
        - Higher headline cashback (2% against our 1.5%)
        - Fast self-serve signup for very small teams

        ## Talk track
        "The cashback difference is worth 0.5% of card spend. One duplicate invoice or one
        forgotten subscription costs more. Let's compare what you control, not what you
        earn back."
        """,
        content_type="battlecard",
        stages="consideration",
        owner=MARKETER2,
        personas="vp-sales end-user",
        industries="software retail",
        tags="competitive",
    ),
    DemoAsset(
        "Battlecard: the status quo of spreadsheets and email approvals",
        "Our most common competitor is doing nothing. Use these numbers to show the cost of "
        "staying on spreadsheets, shared cards and email approvals.",
        """
        ## Why "do nothing" wins deals
        Most lost deals do not go to a competitor: they end in **no decision**. The buyer
        believes the current process is free.

        ## What the status quo really costs
        | Hidden cost | Typical mid-market figure |
        |---|---|
        | Manual invoice processing | $12-15 per invoice |
        | Late fees and lost discounts | 0.5-1% of AP spend |
        | Out-of-policy spend | 5-8% of card and T&E spend |
        | Finance time chasing receipts | 2-3 days every month-end |

        ## Questions that surface the pain
        - "What happens when the person who owns the spreadsheet is on vacation?"
        - "How do you know a subscription was really cancelled?"
        - "How many days of the close are spent waiting for receipts?"

        ## Proof points
        Keystone Components found **$1.2M** in duplicate and overpaid invoices. Oakmont
        Outfitters cut out-of-policy spend by 83% in one quarter.
        """,
        content_type="battlecard",
        stages="awareness consideration",
        owner=MARKETER,
        personas="operations-manager head-of-marketing",
        tags="competitive roi",
    ),
    DemoAsset(
        "Objection handling: security and data residency",
        "Answers to the security and data-residency objections CIOs raise late in a deal, "
        "with the proof to send for each.",
        """
        ## "We can't put payment data in a multi-tenant SaaS"
        Fernhill is SOC 1 and SOC 2 Type II audited and PCI DSS Level 1. Each customer's
        data is isolated and encrypted with its own keys. **Send**: the SOC 2 report under
        NDA.

        ## "Our data must stay in the EU"
        EU customers are hosted in Frankfurt, with backups in the EU. **Send**: the data
        processing addendum.

        ## "Spendora already passed our security review"
        A finished review is not a reason to keep a tool. Offer the pre-filled security
        questionnaire (SIG Lite) so the review takes days, not months.

        ## "What if you get breached?"
        Customer notice within **48 hours**, cyber insurance of **$20M** and a 24/7
        security operations team.

        ## Escalation
        If the CIO wants to talk to our CISO, ask the deal desk at least **5 business days**
        ahead.
        """,
        content_type="battlecard",
        stages="decision",
        owner=MARKETER2,
        personas="cio",
        industries="financial-services healthcare",
        tags="security competitive",
        revision=DemoRevision(
            "Added UK hosting and the new insurance cover",
            (
                (
                    "with backups in the EU.",
                    "with backups in Dublin. UK customers can be hosted in London.",
                ),
                ("$20M", "$25M"),
            ),
        ),
    ),
    DemoAsset(
        "The 2025 State of Mid-Market Spend report",
        "Our survey of 640 finance leaders at companies with 100-2,500 employees: where "
        "spend leaks, how long the close takes and what top performers do differently.",
        """
        ## About the research
        Fernhill surveyed **640 CFOs, controllers and finance managers** in the US, the UK
        and Germany in January 2025.

        ## Key findings
        - **58%** still approve at least some purchases by email or chat
        - The median month-end close takes **9 days**; the top quartile closes in 4
        - Respondents estimate **3.1% of spend** is lost to duplicates, fraud and
          out-of-policy purchases
        - **72%** plan to consolidate their spend tools within two years

        ## What top performers do
        1. Approve spend **before** it happens, not when the invoice arrives
        2. Issue a virtual card per vendor and subscription
        3. Sync coded transactions to the ERP daily, not at month-end
        4. Share live budgets with department heads, including marketing

        ## How to use this report
        Lead with the 3.1% leakage figure in cold outreach: it gives a CFO a number to test
        against their own spend.
        """,
        content_type="whitepaper",
        stages="awareness",
        owner=MARKETER,
        personas="cfo head-of-marketing",
        tags="roi",
        file="state-of-mid-market-spend-2025.pdf",
    ),
    DemoAsset(
        "A CFO's guide to continuous close",
        "A practical guide for finance leaders moving from a 10-day close to a rolling, "
        "near-real-time close, with a six-month roadmap.",
        """
        ## What continuous close means
        Instead of reconciling everything in the first ten days of the month, the team
        reconciles **every day**. Month-end becomes a review, not a project.

        ## The roadmap
        | Month | Focus |
        |---|---|
        | 1-2 | Daily sync of card and expense data to the ERP |
        | 3 | Automated invoice matching, accruals from open POs |
        | 4 | Daily bank reconciliation |
        | 5-6 | Flux analysis and close checklist automation |

        ## Prerequisites
        - One source of spend data, not five
        - A clear owner for each balance-sheet account
        - Approval before spend, so accruals are known in advance

        ## What to expect
        Finance teams at banks and manufacturers that followed this roadmap cut their close
        from **10.5 days to 4.2 days** on average and halved their audit adjustments.
        """,
        content_type="whitepaper",
        stages="awareness consideration",
        owner=MARKETER2,
        personas="cfo",
        industries="financial-services manufacturing",
    ),
    DemoAsset(
        "Controlling non-clinical spend in hospitals",
        "Where hospitals lose money on facilities, IT and services purchasing, and a "
        "framework for bringing that spend under control without slowing clinicians.",
        """
        ## The overlooked third of the budget
        Non-clinical purchases are **30-35% of hospital supply spend**, yet most controls
        focus on clinical supplies bought through group purchasing contracts.

        ## Where the money goes
        - Facilities repair and maintenance, often bought off-contract by department heads
        - IT hardware and software bought on personal cards and expensed
        - Professional services invoiced without a purchase order

        ## A four-step framework
        1. **See it**: route all non-clinical invoices and cards through one platform
        2. **Approve it**: require a request before spend above $2,500
        3. **Enforce it**: virtual cards with merchant limits for recurring vendors
        4. **Review it**: monthly budget against actuals, per department

        ## What hospitals achieved
        Meridian Health Partners and Sunbury Regional cut non-clinical spend by **6-9%** in
        the first year while approval times fell from days to hours.
        """,
        content_type="whitepaper",
        stages="awareness",
        owner=MARKETER,
        personas="cfo operations-manager",
        industries="healthcare",
    ),
    DemoAsset(
        "Zero-trust finance: protecting payments from fraud",
        "How payment fraud reaches finance teams, from fake vendor bank details to "
        "compromised email, and the controls that stop it.",
        """
        ## The threat
        Business email compromise is the costliest fraud finance teams face. The most
        common attack is an email asking AP to change a vendor's bank details.

        ## Zero-trust principles for payments
        - **Verify every change**: bank-detail changes need a call-back and a second approver
        - **Least privilege**: whoever creates a vendor cannot approve payments to it
        - **No email approvals**: approve in an authenticated app with MFA
        - **Anomaly detection**: flag first-time payees, unusual amounts, weekend runs

        ## How Fernhill applies them
        Fernhill holds payments to any vendor whose bank details changed in the last
        **10 days** until a second admin confirms. The control has stopped **$48M** of
        attempted fraudulent payments across customers since launch.

        ## For financial institutions
        Credit unions and banks export the full approval trail for examiners in one click.
        """,
        content_type="whitepaper",
        stages="consideration",
        owner=MARKETER2,
        personas="cio cfo",
        industries="financial-services",
        tags="security",
        review_in=-60,
    ),
    DemoAsset(
        "Retail margin playbook: store-level spend visibility",
        "For retail operations and marketing leaders: how store-level spend visibility "
        "protects margin, with benchmarks from 40 multi-location retailers.",
        """
        ## Why store spend matters
        In multi-location retail, store operating spend is **3-5% of revenue**. A one-point
        improvement is worth more than most price changes.

        ## Benchmarks from 40 retailers
        | Metric | Median | Top quartile |
        |---|---|---|
        | Receipt compliance | 71% | 97% |
        | Days until store spend is visible | 21 | 1 |
        | Local marketing spend tracked per store | 38% | 100% |

        ## The playbook
        - Give each store manager a card with category limits instead of petty cash
        - Set a monthly budget per store and show it to district managers
        - Track **local marketing** (events, flyers, sponsorships) per store, so marketing
          can measure what works
        - Review the bottom 10% of stores by spend-to-revenue every month
        """,
        content_type="whitepaper",
        stages="awareness consideration",
        owner=MARKETER,
        personas="operations-manager head-of-marketing",
        industries="retail",
    ),
    DemoAsset(
        "AP automation ROI calculator",
        "A guided ROI calculator for bill pay: enter invoice volume and team cost to "
        "estimate savings, payback and the three-year return for the business case.",
        """
        ## How to use the ROI calculator
        Fill in the four inputs with the buyer on the call; never send the calculator blank.
        Defaults are conservative medians from 300 Fernhill customers.

        ## Inputs
        | Input | Example |
        |---|---|
        | Invoices per month | 2,000 |
        | Fully loaded cost per AP FTE | $78,000 |
        | Current cost per invoice | $12.50 |
        | Annual AP spend | $60M |

        ## Example output
        - Processing savings: **$216,000 a year** (cost per invoice falls to $3.50)
        - Early-payment discounts captured: **$180,000 a year**
        - Fernhill Growth plan: $54,000 a year
        - **Payback in 2 months; three-year ROI of 630%**

        ## Tips
        - Use the buyer's numbers, not ours: a CFO discounts a vendor's assumptions
        - Leave discounts out if the buyer pays net-60 by policy
        - Pair the ROI calculator with the pricing one-pager before any discount comes up
          in the negotiation
        """,
        content_type="roi-calculator",
        stages="decision",
        owner=MARKETER2,
        personas="cfo operations-manager",
        tags="roi pricing",
    ),
    DemoAsset(
        "Expense management time-savings calculator",
        "Estimate the hours employees, approvers and finance save when expense reports are "
        "replaced by card transactions with automatic receipt matching.",
        """
        ## The model
        | Who | Today | With Fernhill |
        |---|---|---|
        | Employee, per report | 25 min | 3 min |
        | Approver, per report | 6 min | 1 min |
        | Finance, per report | 12 min | 2 min |

        ## Example: 250 employees, 1.5 reports each a month
        - Reports per month: 375
        - Time today: 375 x 43 min = **269 hours a month**
        - Time with Fernhill: 375 x 6 min = **38 hours a month**
        - **231 hours saved every month**, about 1.4 full-time people

        ## Talking to sales leaders
        For quota-carrying reps, multiply the saved hours by pipeline per selling hour. At
        $1,500 of pipeline an hour, 40 reps saving 4 hours a month adds **$240,000** of
        pipeline capacity every month.
        """,
        content_type="roi-calculator",
        stages="consideration",
        owner=MARKETER,
        personas="end-user operations-manager vp-sales",
        tags="roi",
    ),
    DemoAsset(
        "Card cashback estimator",
        "Estimate the yearly cashback from moving T&E, subscriptions and supplier payments "
        "to Fernhill cards, including suppliers that accept virtual cards.",
        """
        ## How cashback works
        Fernhill pays **1.5% cashback** on all card spend, credited monthly against the
        statement. Enterprise customers above $10M of card spend get a negotiated rate.

        ## Example estimate
        | Spend moved to cards | Per year | Cashback |
        |---|---|---|
        | Employee T&E | $1.8M | $27,000 |
        | Software subscriptions | $0.9M | $13,500 |
        | Suppliers accepting virtual cards | $4.0M | $60,000 |
        | **Total** | **$6.7M** | **$100,500** |

        ## Finding supplier card spend
        Most retailers and manufacturers have **15-25%** of suppliers who already accept
        cards. Fernhill's supplier enablement team contacts the rest at no cost.

        ## Pricing note
        Cashback often covers the Fernhill subscription in full. In pricing conversations,
        show cashback after the value story, never instead of it.
        """,
        content_type="roi-calculator",
        stages="decision expansion",
        owner=MARKETER2,
        personas="cfo",
        industries="retail manufacturing",
        tags="roi pricing",
    ),
    DemoAsset(
        "Marketing spend consolidation calculator",
        "Shows a marketing leader how much budget comes back from consolidating SaaS tools, "
        "cancelling unused subscriptions and paying agencies through one workflow.",
        """
        ## Inputs
        - Number of marketing SaaS tools (typically 40-90)
        - Yearly marketing software spend
        - Number of agencies and freelancers paid each month

        ## Benchmarks used
        - **23%** of marketing tools have fewer than 2 active users
        - **11%** of subscriptions overlap with a tool another team already pays for
        - Agency invoices take **34 days** on average to be matched to a campaign

        ## Example: software company, 55 tools, $1.1M SaaS spend
        | Saving | Amount |
        |---|---|
        | Cancel unused tools | $154,000 |
        | Consolidate overlapping tools | $72,000 |
        | Renegotiate renewals with usage data | $48,000 |
        | **First-year saving** | **$274,000** |

        ## What marketing gets back
        Besides the savings, the team sees actual spend per campaign the day it happens, so
        budget moves are decided within the quarter.
        """,
        content_type="roi-calculator",
        stages="consideration",
        owner=MARKETER,
        personas="head-of-marketing",
        industries="software",
        tags="roi",
    ),
    DemoAsset(
        "Cold outreach: CFOs at manufacturers",
        "A three-touch email sequence for manufacturing CFOs, built around duplicate "
        "payments and plant-level purchasing.",
        """
        ## Email 1, subject: "Paying the same invoice twice?"
        Hi {first_name},

        Manufacturers with several plants pay **0.1-0.3% of AP spend twice**, usually
        because the same invoice is entered at two sites. Keystone Components found $1.2M
        this way.

        Would a 20-minute check of your last 12 months of payables be useful? We run it at
        no cost.

        ## Email 2 (3 days later), subject: "How Halvorsen closes in 5 days"
        Hi {first_name}, a short follow-up: Halvorsen Manufacturing cut its close from 11
        days to 5 by approving plant purchases in one place. The two-page story is attached.

        ## Email 3 (7 days later), subject: "Close the loop?"
        Hi {first_name}, should I stop reaching out, or is spend control on the agenda this
        year? A one-word reply is fine.

        ## Tips
        - Personalize the first line with the number of plants
        - Send Tuesday to Thursday, before 9 a.m. local time
        """,
        content_type="email-template",
        stages="awareness",
        owner=MARKETER2,
        personas="cfo",
        industries="manufacturing",
    ),
    DemoAsset(
        "Follow-up after a demo, with ROI summary",
        "Send within 24 hours of a demo: the pain points you heard, the ROI summary and one "
        "clear next step. Edit the bracketed parts.",
        """
        **Subject:** Next steps after today's Fernhill demo

        Hi [first name],

        Thank you for your time today. Here is what I heard and what we agreed.

        ## What you told us
        - [Pain 1, e.g. 2,000 invoices a month keyed by hand]
        - [Pain 2, e.g. a 9-day close waiting on receipts]
        - [Pain 3, e.g. no view of committed spend by department]

        ## What Fernhill would mean for [company]
        Using your numbers in our ROI calculator:
        - **[$X] a year** in processing savings
        - **[$Y] a year** in discounts and cashback
        - Payback in **[N] months**

        ## Next step
        A 30-minute session with [IT contact] on the ERP integration, on [date]. The
        security overview is attached so your team can start its review.

        Best,
        [your name]

        ## Notes for reps
        Keep the ROI numbers conservative. If the buyer asked about pricing, attach the
        pricing one-pager; never put a discount in writing.
        """,
        content_type="email-template",
        stages="consideration decision",
        owner=MARKETER,
        personas="cfo vp-sales",
        tags="roi",
        file="demo-follow-up-email.docx",
    ),
    DemoAsset(
        "Sending the security questionnaire pack",
        "The email that sends the buyer's IT or security team our pre-filled security "
        "questionnaire, the SOC 2 report request and the trust-portal link.",
        """
        **Subject:** Fernhill security documentation for [company]

        Hi [name],

        [Champion] mentioned your team will review Fernhill's security. To save you time,
        here is what most reviews need:

        - **Pre-filled security questionnaire**: SIG Lite and CAIQ (attached)
        - **SOC 2 Type II report**: shared under a mutual NDA; I have started one for you
        - **Trust portal**: certifications, sub-processors, penetration-test summary
        - **Architecture overview**: data flows, encryption and access controls

        If your team uses its own questionnaire, send it over: our security team returns
        completed questionnaires in **5 business days** on average.

        Best,
        [your name]

        ## Notes for reps
        - Send this in the first week of an evaluation, not when procurement asks
        - Deals that start the security review before the business case close
          **11 days faster**
        """,
        content_type="email-template",
        stages="decision",
        owner=MARKETER2,
        personas="cio",
        tags="security",
    ),
    DemoAsset(
        "Renewal and expansion check-in",
        "An email for 90 days before renewal: recap the value delivered, share a peer "
        "customer story and open the expansion conversation.",
        """
        **Subject:** Your first year on Fernhill, in numbers

        Hi [first name],

        With your renewal coming up on [date], here is what your team achieved this year:

        - **[N] hours** saved on expense reports and invoices
        - **[$X]** in early-payment discounts and cashback
        - Month-end close down from **[A] to [B] days**

        Companies like yours often take the next step with purchase requests. Brightlane
        Software added procurement in its second year and cut software spend by a fifth;
        their story is attached.

        Could we find 30 minutes in the next two weeks to review the year and plan the next?

        Best,
        [your name]

        ## Timing
        - 90 days before renewal: this email
        - 60 days: executive business review
        - 30 days: renewal paperwork
        """,
        content_type="email-template",
        stages="expansion",
        owner=MARKETER,
        personas="cfo operations-manager",
        tags="customer-story",
    ),
    DemoAsset(
        "Welcome email for new customer admins",
        "The welcome email onboarding managers send a new customer's Fernhill admins: first "
        "steps, integrations and where to get help.",
        """
        **Subject:** Welcome to Fernhill: your first week

        Hi [first name],

        Welcome aboard! I'm [name], your onboarding manager. This is what we will do
        together in the first week:

        1. **Connect your ERP** (about 2 hours): Settings > Integrations
        2. **Set up SSO** with your identity provider: 30 minutes of your IT admin's time
        3. **Import cost centers and approvers** with the attached CSV template
        4. **Order cards** for the pilot team: physical cards arrive in 5-7 business days,
           virtual cards work at once

        ## Getting help
        - Help center: searchable guides and 6-minute videos
        - Chat support: weekdays 7 a.m. to 8 p.m. Eastern, first reply in under **4 minutes**
        - Your onboarding manager: a weekly 30-minute check-in until launch

        Our kickoff is on [date]. Reply with any questions before then.

        [name]
        """,
        content_type="email-template",
        stages="onboarding",
        owner=MARKETER2,
        personas="operations-manager end-user",
        tags="integration",
    ),
    DemoAsset(
        "Re-engaging a stalled deal after pricing pushback",
        "For deals that went quiet after the proposal: reframe price as the cost of delay, "
        "offer a negotiation lever that keeps list price, and ask for a decision.",
        """
        **Subject:** A different way to look at the numbers

        Hi [first name],

        When we last spoke, the Growth plan felt expensive against your budget. I went back
        to the ROI model with your numbers:

        - Each month without Fernhill costs about **[$X]** in processing time and missed
          discounts
        - The proposal pays for itself in **[N] months**

        Two options that may help, without changing the scope:
        1. **Quarterly billing** in year one instead of annual prepaid
        2. A **two-year term** with the year-two price locked at today's rate

        If [competitor] offered a lower price, I'm happy to compare total cost, including
        implementation and the AP tool you would still need.

        Is it worth 20 minutes this week to decide either way?

        [your name]

        ## Notes for reps
        - Offer only levers allowed by the pricing guardrails
        - Never send a discount by email first; discuss it on a call
        """,
        content_type="email-template",
        stages="decision",
        owner=MARKETER,
        personas="cfo vp-sales",
        tags="pricing competitive",
        review_in=-3,
    ),
    DemoAsset(
        "Demo script: 30-minute AP automation demo",
        "The standard bill-pay demo for finance teams: invoice capture, PO matching, "
        "approvals, payment runs and ERP sync in 30 minutes.",
        """
        ## Before the demo
        - Load the **manufacturing demo company** and reset its invoices
        - Ask the buyer for two real invoices and upload them

        ## Flow
        | Minute | Show | Say |
        |---|---|---|
        | 0-3 | Agenda, buyer's goals | "You told us the close takes 9 days." |
        | 3-10 | Forward an invoice to the AP inbox | "Coded and matched in a minute." |
        | 10-17 | A 3-way match exception | "Only exceptions reach a person." |
        | 17-23 | Approve on mobile | "Plant managers approve in 10 seconds." |
        | 23-27 | Payment run and ERP sync | "The ERP is updated; nobody rekeys." |
        | 27-30 | Next steps | Propose the integration session |

        ## Tips
        - Always show an **exception**, not only the happy path
        - If the buyer runs NetSuite, open the synced bill in NetSuite to prove it
        """,
        content_type="demo-script",
        stages="consideration",
        owner=MARKETER2,
        personas="cfo operations-manager",
        tags="integration",
        file="ap-automation-demo-script.docx",
    ),
    DemoAsset(
        "Demo script: cards and expenses for sales teams",
        "A 20-minute demo for sales leaders and reps: issuing a card, capturing a receipt, "
        "policy checks and T&E by territory.",
        """
        ## Audience
        VP Sales, sales operations and a couple of reps. Keep finance detail to a minimum
        and show what the rep experiences.

        ## Flow
        1. **Issue a card to a new rep** (2 min): limits for travel, meals, client events
        2. **Client dinner** (4 min): pay by phone, snap the receipt, add attendees
        3. **Out-of-policy attempt** (3 min): the card declines a purchase outside its
           categories; the rep asks for an exception in the app
        4. **Manager view** (5 min): approve the exception, see T&E by rep and territory
        5. **Sales leader dashboard** (4 min): T&E against budget and against pipeline
        6. **Wrap-up** (2 min): propose a pilot for one region

        ## Numbers to mention
        - Reps get back **4.5 hours a month**
        - Brightlane's reps submit expenses in **1.6 days** instead of 19

        ## Watch out
        Do not open the accounting settings: this audience does not care.
        """,
        content_type="demo-script",
        stages="consideration",
        owner=MARKETER,
        personas="vp-sales end-user",
        industries="software",
    ),
    DemoAsset(
        "Demo script: marketing budgets and agency invoices",
        "A demo for heads of marketing: campaign budgets, virtual cards for tools and "
        "events, and agency invoices matched to campaigns.",
        """
        ## Setup
        Use the **retail demo company**: its marketing team has 6 campaigns and 3 agencies.

        ## Flow (25 minutes)
        1. **Budget view** (5 min): committed and actual spend per campaign, updated live
        2. **Virtual card for a new tool** (4 min): a card for a 3-month trial that expires
           by itself
        3. **Event spend** (5 min): booth fees and travel on one card, receipts filed
           against the campaign
        4. **Agency invoice** (6 min): the agency emails an invoice; Fernhill matches it to
           the campaign's PO and routes it to the campaign owner
        5. **Reporting** (5 min): export spend per channel to the planning sheet

        ## Questions to ask
        - "How long after the quarter do you know what a campaign really cost?"
        - "Who cancels a tool when the person who bought it leaves?"

        ## Tip
        Let a marketer in the room request the card on the projector: it lands better than
        watching us click.
        """,
        content_type="demo-script",
        stages="consideration",
        owner=MARKETER2,
        personas="head-of-marketing end-user",
        industries="retail",
    ),
    DemoAsset(
        "Demo script: IT and security walkthrough",
        "A technical demo for IT and security reviewers: SSO and SCIM, roles and "
        "permissions, the audit log and the ERP connection.",
        """
        ## Attendees
        The buyer's IT lead or CISO, our solutions engineer, and the account executive,
        who mostly listens.

        ## Flow (40 minutes)
        1. **SSO and SCIM** (8 min): sign in through the buyer's identity provider, then
           deprovision a test user and show access removed within a minute
        2. **Roles** (8 min): a custom read-only role for auditors
        3. **Audit log** (8 min): filter by user and export; show a bank-detail change with
           two approvals
        4. **ERP connection** (8 min): OAuth scopes, the sync log and error retry
        5. **Questions** (8 min)

        ## Industry notes
        - **Healthcare**: Fernhill stores no patient data and signs a BAA where invoices
          might contain it
        - **Financial services**: offer the SOC 1 report and examiner-ready exports

        ## Follow-up
        Send the security questionnaire pack the same day.
        """,
        content_type="demo-script",
        stages="decision",
        owner=MARKETER,
        personas="cio",
        industries="healthcare financial-services",
        tags="security integration",
    ),
    DemoAsset(
        "Demo script: procurement requests for existing customers",
        "An expansion demo for customers already on cards and bill pay: purchase requests, "
        "budget checks and purchase orders, shown with their own data.",
        """
        ## When to use it
        After the customer's first business review, once they have used Fernhill cards and
        bill pay for at least **6 months**.

        ## Flow (20 minutes, in the customer's own account)
        1. **Spend without a PO today**: the share of invoices that arrived without one,
           usually 30-45%
        2. **Purchase request**: a plant manager asks for a $14,000 compressor repair; the
           budget check shows 62% of the quarter already used
        3. **Approval chain**: operations director, then finance above $10,000
        4. **PO to the supplier**: sent from Fernhill and matched when the invoice arrives
        5. **Plans**: procurement is part of Growth; Essentials customers upgrade

        ## Expansion results
        Manufacturing customers who add procurement see invoices without a PO fall from
        **38% to 6%** within two quarters.
        """,
        content_type="demo-script",
        stages="expansion",
        owner=MARKETER2,
        personas="operations-manager cfo",
        industries="manufacturing",
    ),
    DemoAsset(
        "Card program launch checklist",
        "A checklist for operations managers launching Fernhill cards to stores or field "
        "teams, from setting limits to reconciling the first statement.",
        """
        ## Two weeks before launch
        - [ ] Decide limits per role: store manager, district manager, field staff
        - [ ] Choose the allowed merchant categories for each card type
        - [ ] Upload the expense policy so Fernhill checks it at the point of sale
        - [ ] Confirm shipping addresses for physical cards (5-7 business days)

        ## Launch week
        - [ ] Send the welcome email with the app download link
        - [ ] Hold a 15-minute huddle per store or team
        - [ ] Retire petty cash and shared cards on the same day

        ## First month
        - [ ] Check receipt compliance weekly; the target is **95%**
        - [ ] Review declined transactions: are limits too tight?
        - [ ] Reconcile the first statement with finance

        Oakmont Outfitters launched cards in **140 stores** with this checklist in three
        weeks.
        """,
        content_type="one-pager",
        stages="onboarding",
        owner=MARKETER,
        personas="operations-manager end-user",
        industries="retail",
    ),
    DemoAsset(
        "Fernhill Procurement launch one-pager",
        "Draft one-pager for the spring launch of Fernhill Procurement: what it does and "
        "who it is for.",
        """
        ## Fernhill Procurement (draft)
        Approve spend **before** it happens: purchase requests, budget checks and purchase
        orders on the same platform as your cards and bills.

        ## Key messages (to confirm with product)
        - Requests from any employee, in the app or in chat
        - Budget checks against live actuals, not last month's report
        - POs sent to suppliers and matched to invoices automatically

        ## Open questions
        - Final name of the plan that includes procurement
        - Customer quote: waiting for Halvorsen's approval
        - Launch pricing for existing Essentials customers
        """,
        content_type="one-pager",
        stages="awareness",
        owner=MARKETER,
        personas="operations-manager cfo",
        published=False,
    ),
    DemoAsset(
        "Case study: Larchmont Foods travel and expense",
        "Draft case study: a regional grocery chain moved 300 store managers and buyers "
        "onto Fernhill cards.",
        """
        ## Customer
        Larchmont Foods runs **62 grocery stores** in New England.

        ## Story outline
        - Challenge: buyers and store managers paid out of pocket and waited three weeks to
          be repaid
        - Solution: Fernhill cards with travel policies for supplier visits
        - Results (to confirm with the customer): 91% receipt compliance, T&E down 9%

        ## To do
        - Interview the controller in May
        - Get logo approval from their brand team
        """,
        content_type="case-study",
        stages="consideration",
        owner=MARKETER,
        personas="cfo vp-sales",
        industries="retail",
        tags="customer-story",
        published=False,
        in_review_with=("rep@example.com", "marketing-lead@example.com"),
    ),
]
