"""What the demo is made of: names, companies, titles, sources, the team, the site's pages,
what people do per intent band, and the reasons reps give."""

from __future__ import annotations

import numpy as np

from workbench.rules.criteria import COMPETITOR_DOMAINS
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind, PageKind, Source

DAY = 86_400
HOUR = 3_600
HISTORY_DAYS = 365
ROWS_PER_CHUNK = 20_000  # rows built at once: memory stays flat however many leads
STAGES = list(Stage)
S = {stage: i for i, stage in enumerate(STAGES)}
STAY = -1  # no further move
KINDS = list(ActivityKind)
KIND = {kind: i for i, kind in enumerate(KINDS)}

FIRST_NAMES = (
    "Anna Ben Carla David Elena Felix Grace Hannah Ivan Julia Karim Laura Marco Nina Omar "
    "Paula Quentin Rosa Samuel Tara Umar Vera William Xenia Yusuf Zoe Aiko Bruno Chloe "
    "Diego Emma Farid Greta Hugo Ines Jonas Kenji Lea Mateo Noah Olivia Pedro Priya Rafael "
    "Sofia Thomas Uma Victor Wen Yara Ahmed Beatriz Chen Daniel Eva Fatima Gabriel Helena"
).split()
LAST_NAMES = (
    "Smith Müller Garcia Rossi Dubois Novak Kowalski Jensen Silva Tanaka Kim Nguyen Patel "
    "Schmidt Martin Bernard Johansson Andersen Costa Fischer Weber Moreau Romano Lopez "
    "Hughes Walsh Murphy Brennan Keller Wagner Becker Hoffmann Schulz Koch Richter Klein "
    "Wolf Neumann Schwarz Zimmermann Braun Hartmann Lange Werner Krause Meier Lehmann "
    "Okafor Mensah Haddad Cohen Levi Ivanova Petrov Horvat Nowak Svensson Virtanen Ortiz"
).split()
COMPANY_WORDS = (
    "Northwind Bluepeak Ironclad Brightline Cedar Harbor Summit Quantum Silverleaf Redwood "
    "Polar Vertex Evergreen Atlas Beacon Crescent Falcon Granite Horizon Juniper Keystone "
    "Lighthouse Meridian Nimbus Orchard Pinnacle Riverside Sterling Trident Uplink Vantage "
    "Willow Zenith Aurora Boreal Cobalt Delta Ember Fjord Glacier"
).split()
COMPANY_NOUNS = (
    "Logistics Analytics Systems Health Foods Energy Robotics Software Finance Media Labs "
    "Manufacturing Insurance Retail Pharma Telecom Consulting Mobility Security Materials"
).split()
COMPANY_SUFFIXES = ("", " Group", " GmbH", " Inc.", " Ltd", " AG", " SA", " BV", " Partners")
COMPETITORS = tuple(zip(("LeadForge", "PipelinePro"), COMPETITOR_DOMAINS, strict=True))
COMPETITOR_FIT = -3.0  # in the demo's hidden quality: their people never get far

# (industry, weight, fit points)
INDUSTRIES = (
    ("Software", 18, 1.0), ("Financial Services", 12, 0.8), ("Healthcare", 9, 0.5),
    ("Manufacturing", 12, 0.6), ("Retail", 9, 0.2), ("Logistics", 7, 0.4),
    ("Professional Services", 9, 0.3), ("Telecommunications", 5, 0.5), ("Media", 5, 0.0),
    ("Education", 6, -0.6), ("Government", 4, -0.5), ("Non-profit", 4, -0.8),
)
# (employee band, weight, fit points); revenue follows size
EMPLOYEE_BANDS = (
    ("1-10", 14, -1.0), ("11-50", 22, -0.4), ("51-200", 24, 0.3), ("201-1000", 20, 0.9),
    ("1001-5000", 12, 1.0), ("5001+", 8, 0.6),
)
REVENUE_BANDS = ("<1M", "1M-10M", "10M-50M", "50M-250M", "250M-1B", "1B+")
# (country, weight, tld, phone prefix)
COUNTRIES = (
    ("US", 30, "com", "+1"), ("GB", 12, "co.uk", "+44"), ("DE", 14, "de", "+49"),
    ("FR", 9, "fr", "+33"), ("NL", 6, "nl", "+31"), ("ES", 5, "es", "+34"),
    ("IT", 5, "it", "+39"), ("SE", 4, "se", "+46"), ("CA", 6, "ca", "+1"),
    ("AU", 4, "com.au", "+61"), ("JP", 3, "jp", "+81"), ("BR", 2, "com.br", "+55"),
)
# (job title, seniority, weight, fit points)
TITLES = (
    ("Chief Revenue Officer", "c_level", 2, 1.4), ("Chief Marketing Officer", "c_level", 2, 1.2),
    ("CEO", "c_level", 3, 1.0), ("VP of Sales", "vp", 5, 1.4),
    ("VP Marketing", "vp", 4, 1.1), ("Head of Sales Operations", "director", 5, 1.3),
    ("Director of Revenue Operations", "director", 5, 1.3),
    ("Head of Demand Generation", "director", 4, 1.0), ("Sales Manager", "manager", 8, 0.8),
    ("Marketing Operations Manager", "manager", 8, 0.8), ("CRM Manager", "manager", 6, 0.9),
    ("Account Executive", "individual", 9, 0.1), ("Marketing Specialist", "individual", 9, 0.0),
    ("Business Analyst", "individual", 6, 0.0), ("Software Engineer", "individual", 5, -0.6),
    ("Office Manager", "individual", 3, -0.8), ("Marketing Intern", "intern", 3, -1.2),
    ("Student", "student", 3, -2.0),
)
# the free mail the demo's people use: some of rules.criteria.FREE_MAIL (this order fixes
# the demo's draws)
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "gmx.de", "hotmail.com")
# (source, weight, intent shift, campaigns)
SOURCES = (
    (Source.WEB_FORM, 22, 0.3, ("Website contact form", "Pricing page form", "Free trial signup")),
    (Source.WEBINAR, 12, 0.2, ("Webinar: Pipeline hygiene", "Webinar: Scoring that sales trusts")),
    (Source.EVENT, 10, 0.0, ("Revenue Summit Berlin", "SaaS Growth Days London")),
    (Source.REFERRAL, 6, 0.8, ("Customer referral programme",)),
    (Source.PAID_ADS, 18, -0.2, ("Search ads: lead scoring", "Social ads: RevOps leaders")),
    (Source.ORGANIC_SEARCH, 14, 0.0, ("",)),
    (Source.PARTNER, 6, 0.4, ("Partner: Keystone Consulting", "Partner: Delta Integrators")),
    (Source.LIST_IMPORT, 12, -0.7, ("Trade show list Q2", "Purchased list: EU SaaS")),
)
REPS = (
    ("Alex Morgan", "alex.morgan"), ("Priya Raman", "priya.raman"),
    ("Jonas Keller", "jonas.keller"), ("Maria Santos", "maria.santos"),
    ("Tom O'Brien", "tom.obrien"), ("Yuki Sato", "yuki.sato"),
    ("Lena Fischer", "lena.fischer"), ("Omar Haddad", "omar.haddad"),
    ("Chloe Martin", "chloe.martin"), ("Sam Okafor", "sam.okafor"),
    ("Ines Duarte", "ines.duarte"), ("Ravi Menon", "ravi.menon"),
)
MANAGERS = (("Dana Whitfield", "dana.whitfield"), ("Erik Lindqvist", "erik.lindqvist"))
TEAM_DOMAIN = "sales.example"
STUDENT_DOMAIN = "student.example.edu"


def _ascii(name: str) -> str:
    for letter, spelled in (("ü", "ue"), ("ö", "oe"), ("ä", "ae"), ("'", ""), (" ", "")):
        name = name.replace(letter, spelled)
    return name.lower()


ASCII_FIRST_NAMES = np.array([_ascii(name) for name in FIRST_NAMES], dtype=object)
ASCII_LAST_NAMES = np.array([_ascii(name) for name in LAST_NAMES], dtype=object)
SITE = "https://www.example.com"

# page kind -> the site's URLs of that kind
PAGES: dict[PageKind, tuple[str, ...]] = {
    PageKind.HOME: ("/",),
    PageKind.BLOG: ("/blog/what-is-an-mql", "/blog/bant-in-2026", "/blog/lead-decay",
                    "/blog/sales-marketing-sla", "/blog/rev-ops-reading-list"),
    PageKind.SOCIAL: ("/s/linkedin-post", "/s/newsletter"),
    PageKind.PRODUCT: ("/product", "/product/scoring", "/product/triage", "/product/reports",
                       "/integrations"),
    PageKind.DOCS: ("/docs/getting-started", "/docs/import"),
    PageKind.CASE_STUDY: ("/customers/northwind", "/customers/bluepeak"),
    PageKind.COMPARISON: ("/compare/spreadsheets", "/compare/crm-add-ons"),
    PageKind.BUYERS_GUIDE: ("/guides/lead-qualification-buyers-guide",),
    PageKind.PRICING: ("/pricing", "/pricing/enterprise"),
    PageKind.CAREERS: ("/careers",),
}
# Activities hold a page kind and a URL as codes into these (0: none), a few bytes each
# instead of a pointer to a string: ten million activities at a million leads.
PAGE_NAMES = np.array([None, *(p.value for p in PageKind)], dtype=object)
URL_NAMES = np.array([None, *(SITE + path for paths in PAGES.values() for path in paths)],
                     dtype=object)
FIRST_URL = {kind: 1 + sum(len(PAGES[k]) for k in list(PAGES)[:i])
             for i, kind in enumerate(PAGES)}
# What a person does, per intent band: (kind, page kind or None, weight)
BEHAVIOUR_MIX: dict[str, tuple[tuple[ActivityKind, PageKind | None, float], ...]] = {
    "cold": (
        (ActivityKind.PAGE_VIEW, PageKind.BLOG, 38), (ActivityKind.EMAIL_OPEN, None, 28),
        (ActivityKind.EMAIL_CLICK, None, 7), (ActivityKind.PAGE_VIEW, PageKind.SOCIAL, 6),
        (ActivityKind.PAGE_VIEW, PageKind.HOME, 6), (ActivityKind.PAGE_VIEW, PageKind.PRODUCT, 5),
        (ActivityKind.PAGE_VIEW, PageKind.CAREERS, 2), (ActivityKind.DOWNLOAD, PageKind.BLOG, 3),
        (ActivityKind.UNSUBSCRIBE, None, 3), (ActivityKind.BOUNCE, None, 2),
    ),
    "warm": (
        (ActivityKind.PAGE_VIEW, PageKind.BLOG, 18), (ActivityKind.PAGE_VIEW, PageKind.PRODUCT, 20),
        (ActivityKind.EMAIL_OPEN, None, 14), (ActivityKind.EMAIL_CLICK, None, 10),
        (ActivityKind.PAGE_VIEW, PageKind.CASE_STUDY, 8), (ActivityKind.DOWNLOAD,
                                                           PageKind.BUYERS_GUIDE, 7),
        (ActivityKind.WEBINAR, None, 7), (ActivityKind.PAGE_VIEW, PageKind.COMPARISON, 5),
        (ActivityKind.PAGE_VIEW, PageKind.DOCS, 4), (ActivityKind.FORM_SUBMIT, None, 3),
        (ActivityKind.PAGE_VIEW, PageKind.PRICING, 4),
    ),
    "hot": (
        (ActivityKind.PAGE_VIEW, PageKind.PRODUCT, 17),
        (ActivityKind.PAGE_VIEW, PageKind.PRICING, 15),
        (ActivityKind.PAGE_VIEW, PageKind.CASE_STUDY, 8),
        (ActivityKind.PAGE_VIEW, PageKind.COMPARISON, 7),
        (ActivityKind.DOWNLOAD, PageKind.BUYERS_GUIDE, 6), (ActivityKind.EMAIL_CLICK, None, 10),
        (ActivityKind.WEBINAR, None, 8), (ActivityKind.DEMO_REQUEST, None, 8),
        (ActivityKind.PRICING_REQUEST, None, 6), (ActivityKind.FORM_SUBMIT, None, 6),
        (ActivityKind.PAGE_VIEW, PageKind.DOCS, 9),
    ),
}
REJECT_REASONS = ("no_budget", "not_decision_maker", "no_need", "bad_timing", "bad_data",
                  "competitor", "existing_customer", "duplicate")
# reject reason weights for poor-fit and good-fit leads
REJECT_WEIGHTS_POOR = (10, 30, 30, 6, 14, 2, 2, 6)
REJECT_WEIGHTS_GOOD = (25, 10, 10, 25, 3, 6, 11, 10)
RECYCLE_REASONS = ("not_ready", "bad_timing", "no_budget", "wrong_contact")
RECYCLE_WEIGHTS = (45, 25, 20, 10)
# which BANT item a reject reason says failed
FAILED_ITEM = {"no_budget": "budget", "not_decision_maker": "authority", "no_need": "need",
               "bad_timing": "timeline"}
BANT_NOTES = {
    "budget": ("Budget approved for next fiscal year", "Range 20-40k EUR mentioned",
               "Needs CFO sign-off above 25k"),
    "authority": ("Decides with the CRO", "Is the economic buyer",
                  "Champion; the VP Sales signs"),
    "need": ("Reps lose hot leads in a shared inbox", "No shared MQL definition today",
             "Scoring in spreadsheets, nobody trusts it"),
    "timeline": ("Wants to go live next quarter", "Evaluating until end of Q1",
                 "Contract with current tool ends in June"),
}


