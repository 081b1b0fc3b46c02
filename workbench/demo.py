"""A deterministic, realistic demo database, generated in bulk.

Every lead gets a hidden quality (fit of title, company and email) and intent.
Behaviour follows intent and the funnel follows both, so outcomes relate to fit
and behaviour the way the scoring model expects. Generation is vectorised with
NumPy and rows go in through Store.bulk_load: a million leads, with their
history and activity, in well under a minute and a half on two cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from workbench.clock import day_start, utcnow
from workbench.rules import scoring
from workbench.rules.criteria import COMPETITOR_DOMAINS, CUSTOMER_ACCOUNT, Criteria
from workbench.rules.qualification import BANT_ITEMS
from workbench.rules.refusals import BadInput, Refused
from workbench.rules.stages import ACCOUNT_STAGES, Stage
from workbench.rules.vocabulary import ActivityKind, BantStatus, PageKind, Role, Source
from workbench.store import db
from workbench.store.leads import ScoreWriter, Store
from workbench.store.tables import Activity, Company, Lead, Qualification, StageChange, User

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


@dataclass(frozen=True)
class DemoResult:
    leads: int
    rows: dict[str, int]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


# "00".."99" as pairs of code points, to write two digits with one lookup
_TWO_DIGITS = np.array([[ord(a), ord(b)] for a in "0123456789" for b in "0123456789"],
                       dtype=np.uint32)
_TIMESTAMP_TEMPLATE = np.array([ord(c) for c in "0000-00-00 00:00:00.000000"], dtype=np.uint32)


def _timestamp_codes(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds -> rows of 26 code points 'YYYY-MM-DD HH:MM:SS.000000', all in NumPy."""
    seconds = np.asarray(seconds, dtype=np.int64)
    day = (seconds // DAY).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    of_day = seconds % DAY
    codes = np.empty((seconds.size, 26), dtype=np.uint32)
    codes[:] = _TIMESTAMP_TEMPLATE
    for column, value in ((0, year // 100), (2, year % 100),
                          (5, month.astype(np.int64) % 12 + 1),
                          (8, (day - month).astype(np.int64) + 1),
                          (11, of_day // HOUR), (14, of_day // 60 % 60), (17, of_day % 60)):
        codes[:, column:column + 2] = _TWO_DIGITS[value]
    return codes


def sql_times(seconds: np.ndarray) -> list[str]:
    """Epoch seconds -> the text SQLAlchemy stores for a DateTime on SQLite."""
    return _timestamp_codes(seconds).view("U26").ravel().tolist()


def sql_dates(seconds: np.ndarray) -> list[str]:
    return np.ascontiguousarray(_timestamp_codes(seconds)[:, :10]).view("U10").ravel().tolist()


def _nullable(values, present: np.ndarray) -> list:
    return np.where(present, np.asarray(values, dtype=object), None).tolist()


class _History:
    """Stage changes and rep touches collected while the funnel runs, as arrays."""

    def __init__(self) -> None:
        self.changes: list[tuple[np.ndarray, ...]] = []
        self.touches: list[tuple[np.ndarray, ...]] = []

    def change(self, lead, from_code, to_code, at, user, reason) -> None:
        self.changes.append((lead, from_code, to_code, at, user, reason))

    def touch(self, lead, at, kind, user) -> None:
        self.touches.append((lead, at, kind, user))

    @staticmethod
    def columns(parts: list[tuple[np.ndarray, ...]]) -> list[np.ndarray]:
        return [np.concatenate(column) for column in zip(*parts, strict=True)]


def generate(store: Store, leads: int = 2000, seed: int = 7,
             as_of: datetime | None = None, criteria: Criteria | None = None,
             progress: Callable[[str], None] | None = None) -> DemoResult:
    """Fill an empty store with a demo team, companies, leads, activity and history.

    With criteria, every lead is stored with its score as of the start of `as_of`'s day (from the
    generated arrays, so each lead row is written once)."""
    if leads < 1:
        raise BadInput("The demo needs at least one lead (--leads 1 or more).")
    report = progress or (lambda _msg: None)
    rng = np.random.default_rng(seed)
    as_of = (as_of or default_as_of()).replace(microsecond=0)
    end = int((as_of - datetime(1970, 1, 1)).total_seconds())
    scored_as_of = day_start(as_of)  # as every stored score is (see ScoreState)
    n = leads

    # -- the team --------------------------------------------------------------
    n_reps = int(np.clip(n // 400, 4, len(REPS)))
    team = [(name, f"{handle}@{TEAM_DOMAIN}", Role.REP.value) for name, handle in REPS[:n_reps]]
    team += [(name, f"{handle}@{TEAM_DOMAIN}", Role.MANAGER.value) for name, handle in MANAGERS]
    user_rows = [(i + 1, *member) for i, member in enumerate(team)]
    rep_ids = np.arange(1, n_reps + 1)

    # -- companies -------------------------------------------------------------
    report("companies")
    n_co = max(20, n // 3)
    words = np.array(COMPANY_WORDS, dtype=object)
    nouns = np.array(COMPANY_NOUNS, dtype=object)
    suffixes = np.array(COMPANY_SUFFIXES, dtype=object)
    co_i = np.arange(n_co)
    combos = len(words) * len(nouns)
    w_idx, n_idx = co_i % len(words), (co_i // len(words)) % len(nouns)
    generation = co_i // combos  # beyond the first combinations names get a number
    co_country = _pick(rng, [c[1] for c in COUNTRIES], n_co)
    co_industry = _pick(rng, [i[1] for i in INDUSTRIES], n_co)
    co_size = _pick(rng, [b[1] for b in EMPLOYEE_BANDS], n_co)
    co_revenue = np.clip(co_size + rng.integers(-1, 2, n_co), 0, len(REVENUE_BANDS) - 1)
    suffix_idx = rng.integers(0, len(suffixes), n_co)
    tlds = [c[2] for c in COUNTRIES]
    co_names, co_domains = [], []
    for w, nn, g, sfx, country in zip(words[w_idx].tolist(), nouns[n_idx].tolist(),
                                      generation.tolist(), suffixes[suffix_idx].tolist(),
                                      co_country.tolist(), strict=True):
        number = f" {g + 1}" if g else ""
        co_names.append(f"{w} {nn}{number}{sfx}")
        co_domains.append(f"{w.lower()}{nn.lower()}{g + 1 if g else ''}.{tlds[country]}")
    company_fit = (np.array([i[2] for i in INDUSTRIES])[co_industry]
                   + np.array([b[2] for b in EMPLOYEE_BANDS])[co_size])
    # two competitors whose people look around and never buy (criteria: negative fit)
    for k, (name, domain) in enumerate(COMPETITORS):
        at_index = n_co // 2 + k
        co_names[at_index], co_domains[at_index] = name, domain
        company_fit[at_index] = COMPETITOR_FIT
    company_rows = zip(
        (co_i + 1).tolist(), co_names, co_domains,
        np.array([i[0] for i in INDUSTRIES], dtype=object)[co_industry].tolist(),
        np.array([b[0] for b in EMPLOYEE_BANDS], dtype=object)[co_size].tolist(),
        np.array(REVENUE_BANDS, dtype=object)[co_revenue].tolist(),
        np.array([c[0] for c in COUNTRIES], dtype=object)[co_country].tolist(),
        strict=True,
    )

    # -- people ----------------------------------------------------------------
    report("leads")
    # a few companies bring many leads, most bring one or two
    company = np.minimum((rng.pareto(1.2, n) * n_co / 40).astype(np.int64), n_co - 1)
    company = (company + rng.integers(0, n_co, n) * (rng.random(n) < 0.6)) % n_co
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    title = _pick(rng, [t[2] for t in TITLES], n)
    source = _pick(rng, [s[1] for s in SOURCES], n)
    mail_kind = rng.random(n)  # < 0.12 free mail, < 0.14 student address
    fit = (np.array([t[3] for t in TITLES])[title] + company_fit[company]
           - 1.2 * (mail_kind < 0.12) - 2.5 * ((mail_kind >= 0.12) & (mail_kind < 0.14)))
    intent = rng.normal(0, 1, n) + np.array([s[2] for s in SOURCES])[source]
    created = end - (HISTORY_DAYS * DAY * rng.random(n) ** 1.4).astype(np.int64)
    # last week's campaigns: a fresh wave of engaged leads for the queue
    surge = rng.random(n) < 0.05
    created[surge] = end - rng.integers(HOUR, 7 * DAY, int(surge.sum()))
    intent[surge] += 0.6
    quality = 0.55 * fit + 0.75 * intent

    # -- the funnel ------------------------------------------------------------
    report("stage history")
    history = _History()
    stage, at, owner, revisit, mql_at, reached_sql, reject_reason = _run_funnel(
        rng, history, n, created, end, quality, rep_ids)

    # -- behaviour -------------------------------------------------------------
    report("activities")
    act = _behaviour(rng, n, created, end, intent, mql_at)
    touches = history.columns(history.touches) if history.touches else None
    changes = history.columns(history.changes)

    last_activity = np.full(n, 0, dtype=np.int64)
    np.maximum.at(last_activity, act["lead"], act["at"])
    first_touch = np.full(n, np.iinfo(np.int64).max)
    if touches is not None:
        t_lead, t_at = touches[0], touches[1]
        np.maximum.at(last_activity, t_lead, t_at)
        since_mql = (mql_at[t_lead] > 0) & (t_at >= mql_at[t_lead])
        np.minimum.at(first_touch, t_lead[since_mql], t_at[since_mql])
    touched = first_touch < np.iinfo(np.int64).max
    last_activity = np.maximum(last_activity, created)
    updated = np.maximum(at, last_activity)

    # -- rows ------------------------------------------------------------------
    stage_names = np.array([s.value for s in STAGES], dtype=object)
    has_phone = rng.random(n) < 0.7
    phone_parts = rng.integers(200, 990, n), rng.integers(0, 10_000, n)
    campaign_pick = rng.integers(0, 6, n)
    free_choice = rng.integers(0, len(FREE_MAIL), n)
    free = np.array(FREE_MAIL, dtype=object)[free_choice]
    free_number = rng.integers(1, 99, n)
    # email domain, as a code into [free mail..., student, company domains...]
    domain_code = np.where(mail_kind < 0.12, free_choice,
                           np.where(mail_kind < 0.14, len(FREE_MAIL),
                                    len(FREE_MAIL) + 1 + company))
    domains = [*FREE_MAIL, STUDENT_DOMAIN, *co_domains]

    no_grade = np.full(n, None, dtype=object)
    score_columns = [np.zeros(n, np.int64)] * 3 + [no_grade, no_grade]
    if criteria is not None:
        report("scoring")
        fields = {
            "seniority": (title, [t[1] for t in TITLES]),
            "job_title": (title, [t[0] for t in TITLES]),
            "employee_band": (co_size[company], [b[0] for b in EMPLOYEE_BANDS]),
            "revenue_band": (co_revenue[company], list(REVENUE_BANDS)),
            "industry": (co_industry[company], [i[0] for i in INDUSTRIES]),
            "country": (co_country[company], [c[0] for c in COUNTRIES]),
            "source": (source, [s[0].value for s in SOURCES]),
            "email_domain": (domain_code, domains),
            "company_domain": (company, co_domains),
            "account_status": (_at_customer_accounts(stage, company, n_co),
                               [None, CUSTOMER_ACCOUNT]),
        }
        score_columns = _scores(criteria, fields, act, touches,
                                (scored_as_of - datetime(1970, 1, 1)).total_seconds())
    report("writing")
    lead_cols = ("id", "external_id", "first_name", "last_name", "email", "phone", "job_title",
                 "seniority", "company_id", "source", "campaign", "owner_id", "stage",
                 "fit_score", "engagement_score", "score", "created_at", "updated_at",
                 "stage_entered_at", "mql_at", "revisit_on", "first_touch_at",
                 "last_activity_at", "grade", "buyer_stage")

    # Rows are built a chunk at a time on Store.bulk_load's reading thread while the
    # previous chunk is inserted, so only the arrays above stay whole in memory; every
    # random draw is made above, so the data does not depend on that timing.
    def lead_rows():
        ext = np.isin(source, [i for i, s in enumerate(SOURCES)
                               if s[0] in (Source.LIST_IMPORT, Source.PARTNER)])
        campaign_of = [list(s[3]) for s in SOURCES]
        phone_prefixes = np.array([c[3] for c in COUNTRIES], dtype=object)
        first_names, last_names = (np.array(FIRST_NAMES, dtype=object),
                                   np.array(LAST_NAMES, dtype=object))
        title_names = np.array([t[0] for t in TITLES], dtype=object)
        seniorities = np.array([t[1] for t in TITLES], dtype=object)
        source_names = np.array([s[0].value for s in SOURCES], dtype=object)
        company_domains = np.array(co_domains, dtype=object)
        for part in _parts(n):
            local = (ASCII_FIRST_NAMES[first[part]] + ".") + ASCII_LAST_NAMES[last[part]]
            kind = mail_kind[part]
            emails = np.where(
                kind < 0.12,
                local + (free_number[part].astype(str).astype(object) + "@") + free[part],
                np.where(kind < 0.14, local + "@" + STUDENT_DOMAIN,
                         local + ("@" + company_domains[company[part]])))
            phones = [f"{p} {a} {b:04d}" for p, a, b in zip(
                phone_prefixes[co_country[company[part]]].tolist(),
                phone_parts[0][part].tolist(), phone_parts[1][part].tolist(), strict=True)]
            campaigns = [campaign_of[s][c % len(campaign_of[s])] or None
                         for s, c in zip(source[part].tolist(), campaign_pick[part].tolist(),
                                         strict=True)]
            ids = range(part.start + 1, part.stop + 1)
            yield list(zip(
                ids, _nullable([f"CRM-{i:07d}" for i in ids], ext[part]),
                first_names[first[part]].tolist(), last_names[last[part]].tolist(),
                emails.tolist(), _nullable(phones, has_phone[part]),
                title_names[title[part]].tolist(), seniorities[title[part]].tolist(),
                (company[part] + 1).tolist(), source_names[source[part]].tolist(), campaigns,
                _nullable(owner[part], owner[part] > 0), stage_names[stage[part]].tolist(),
                *(column[part].tolist() for column in score_columns[:3]),
                sql_times(created[part]), sql_times(updated[part]), sql_times(at[part]),
                _nullable(sql_times(mql_at[part]), mql_at[part] > 0),
                _nullable(sql_dates(revisit[part]), stage[part] == S[Stage.RECYCLED]),
                _nullable(sql_times(np.where(touched[part], first_touch[part], 0)),
                          touched[part]),
                sql_times(last_activity[part]), *(column[part].tolist()
                                                  for column in score_columns[3:]),
                strict=True,
            ))

    change_cols = ("lead_id", "from_stage", "to_stage", "changed_at", "user_id", "reason_code")

    def change_rows():
        ch_lead, ch_from, ch_to, ch_at, ch_user, ch_reason = changes
        order = np.lexsort((ch_at, ch_lead))  # ids follow each lead's history in time
        reasons = np.array(REJECT_REASONS + RECYCLE_REASONS, dtype=object)
        for part in _parts(len(order)):
            rows = order[part]
            yield list(zip(
                (ch_lead[rows] + 1).tolist(),
                _nullable(stage_names[ch_from[rows]], ch_from[rows] >= 0),
                stage_names[ch_to[rows]].tolist(), sql_times(ch_at[rows]),
                _nullable(ch_user[rows], ch_user[rows] > 0),
                _nullable(reasons[ch_reason[rows]], ch_reason[rows] >= 0),
                strict=True,
            ))

    activity_cols = ("lead_id", "occurred_at", "kind", "url", "page_kind", "user_id")

    def activity_rows():
        if touches is not None:
            t_lead, t_at, t_kind, t_user = touches
            no_page = np.zeros(len(t_lead), dtype=np.int8)
            lead_col = np.concatenate([act["lead"], t_lead])
            at_col = np.concatenate([act["at"], t_at])
            kind_col = np.concatenate([act["kind"], t_kind])
            url_col = np.concatenate([act["url"], no_page])
            page_col = np.concatenate([act["page"], no_page])
            user_col = np.concatenate([np.zeros(len(act["lead"]), np.int64), t_user])
        else:
            lead_col, at_col, kind_col = act["lead"], act["at"], act["kind"]
            url_col, page_col = act["url"], act["page"]
            user_col = np.zeros(len(lead_col), np.int64)
        order = np.lexsort((at_col, lead_col))
        kind_names = np.array([k.value for k in KINDS], dtype=object)
        for part in _parts(len(order)):
            rows = order[part]
            yield list(zip(
                (lead_col[rows] + 1).tolist(), sql_times(at_col[rows]),
                kind_names[kind_col[rows]].tolist(), URL_NAMES[url_col[rows]].tolist(),
                PAGE_NAMES[page_col[rows]].tolist(),
                _nullable(user_col[rows], user_col[rows] > 0),
                strict=True,
            ))

    qual_cols, qual_rows = _bant_rows(rng, stage, reached_sql, reject_reason, at, owner)

    def hand_over(writer: ScoreWriter) -> None:
        """What a rescore would do at once: leads at the threshold become MQLs now."""
        ready = np.flatnonzero((stage == S[Stage.LEAD])
                               & (score_columns[2] >= criteria.mql_threshold)) + 1
        writer.date_scores(scored_as_of, criteria.version)
        writer.promote(ready.tolist(), criteria.mql_threshold, as_of)

    counts = store.bulk_load([
        (User.__table__, ("id", "name", "email", "role"), lambda: [user_rows]),
        (Company.__table__, ("id", "name", "domain", "industry", "employee_band",
                             "revenue_band", "country"), lambda: [list(company_rows)]),
        (Lead.__table__, lead_cols, lead_rows),
        (StageChange.__table__, change_cols, change_rows),
        (Activity.__table__, activity_cols, activity_rows),
        (Qualification.__table__, qual_cols, lambda: [list(qual_rows)]),
    ], scored=None if criteria is None else hand_over)
    return DemoResult(leads=n, rows=counts)


def _parts(total: int) -> Iterator[slice]:
    """The rows of a table, a chunk at a time."""
    for start in range(0, total, ROWS_PER_CHUNK):
        yield slice(start, min(start + ROWS_PER_CHUNK, total))


def _scores(criteria: Criteria, fields, act, touches, end) -> list[np.ndarray]:
    """fit, engagement, score, grade and buyer-journey stage of every generated lead,
    scored a chunk of leads at a time (the rules' arrays are leads x rules)."""
    classes = scoring.activity_classes(criteria)
    pages = PAGE_NAMES.tolist()
    lead, at, kind, page_code = act["lead"], act["at"], act["kind"], act["page"]
    if touches is not None:  # rep touches: no page
        lead = np.concatenate([lead, touches[0]])
        at = np.concatenate([at, touches[1]])
        kind = np.concatenate([kind, touches[2]])
        page_code = np.concatenate([page_code, np.zeros(len(touches[0]), dtype=np.int8)])
    # classify each distinct (kind, page) once, as the store's SQL would
    pairs, inverse = np.unique(kind.astype(np.int64) * len(pages) + page_code,
                               return_inverse=True)
    pair_class = np.array([scoring.first_match(classes.patterns, KINDS[p // len(pages)].value,
                                               pages[p % len(pages)]) for p in pairs.tolist()])
    by_lead = np.argsort(lead, kind="stable")
    lead, activity_class, age = lead[by_lead], pair_class[inverse][by_lead], \
        (end - at[by_lead]) / DAY
    fit_mask = scoring.fit_mask_of(criteria, fields)
    n = len(fit_mask)
    fit, engagement = np.zeros(n, np.int64), np.zeros(n, np.int64)
    grades, journey = np.empty(n, dtype=object), np.empty(n, dtype=object)
    for part in _parts(n):
        first, last = np.searchsorted(lead, [part.start, part.stop])
        scores = scoring.score_facts(criteria, classes, fit_mask[part],
                                     lead[first:last] - part.start,
                                     activity_class[first:last], age[first:last])
        fit[part], engagement[part] = scores.fit, scores.engagement
        grades[part], journey[part] = scoring.grades_and_journey(criteria, scores)
    return [fit, engagement, fit + engagement, grades, journey]


def _at_customer_accounts(stage, company, n_co):
    """Per lead, 1 when it is not a customer (or evangelist) itself and another lead at its
    company is (as store._FIT_FIELD_SQL's account_status), else 0."""
    buys = np.isin(stage, [S[s] for s in ACCOUNT_STAGES])
    account = np.zeros(n_co, dtype=bool)
    account[company[buys]] = True
    return (account[company] & ~buys).astype(np.int64)


def _run_funnel(rng, history: _History, n, created, end, quality, rep_ids):
    """Walk every lead through the stage machine until it stops or reaches today.

    Each round moves all still-moving leads one step, stage by stage, with
    probabilities that rise with quality; a step whose time would fall after
    `end` does not happen, which leaves recent leads early in the funnel.
    """
    stage = np.full(n, S[Stage.LEAD])
    at = created.copy()
    owner = np.zeros(n, dtype=np.int64)
    rep = rep_ids[rng.integers(0, len(rep_ids), n)]
    revisit = np.zeros(n, dtype=np.int64)
    mql_at = np.zeros(n, dtype=np.int64)
    reached_sql = np.zeros(n, dtype=bool)
    reject_reason = np.full(n, -1)
    moving = np.ones(n, dtype=bool)
    all_leads = np.arange(n)
    history.change(all_leads, np.full(n, -1), stage.copy(), created.copy(),
                   np.zeros(n, np.int64), np.full(n, -1))
    n_reject = len(REJECT_REASONS)

    for _round in range(64):  # ends long before: every step moves time towards `end`
        idx = np.flatnonzero(moving)
        if idx.size == 0:
            break
        for code in np.unique(stage[idx]):
            sub = idx[stage[idx] == code]
            k = sub.size
            q = quality[sub]
            u = rng.random(k)
            nxt = np.full(k, STAY)
            reason = np.full(k, -1)
            by_rep = np.zeros(k, dtype=bool)
            if code == S[Stage.LEAD]:
                gap = rng.exponential(12 * DAY, k)
                p_mql = 0.85 * _sigmoid(1.3 * q - 0.4)
                nxt[u < p_mql] = S[Stage.MQL]
                junk = (u >= p_mql) & (u < p_mql + 0.04)
                nxt[junk] = S[Stage.DISQUALIFIED]
                reason[junk] = REJECT_REASONS.index("bad_data")
            elif code == S[Stage.MQL]:
                # first touch and decision: most within the 24-hour SLA, some left waiting
                slow = rng.random(k) < 0.45
                gap = np.where(slow, rng.exponential(12 * DAY, k), rng.exponential(10 * HOUR, k))
                gap += 0.5 * HOUR
                p_accept = _sigmoid(1.4 * q - 0.9)
                accept = u < p_accept
                recycle = ~accept & (rng.random(k) < 0.35)
                nxt[accept] = S[Stage.SAL]
                nxt[recycle] = S[Stage.RECYCLED]
                reject = ~accept & ~recycle
                nxt[reject] = S[Stage.DISQUALIFIED]
                reason[reject] = _reject_reasons(rng, q[reject])
                reason[recycle] = n_reject + _pick(rng, RECYCLE_WEIGHTS, int(recycle.sum()))
                by_rep[:] = True
                touch_at = at[sub] + (0.7 * gap).astype(np.int64)
                ok = touch_at < end
                history.touch(sub[ok], touch_at[ok],
                              np.where(rng.random(int(ok.sum())) < 0.55,
                                       KIND[ActivityKind.CALL], KIND[ActivityKind.EMAIL_SENT]),
                              rep[sub[ok]])
            elif code in (S[Stage.SAL], S[Stage.SQL], S[Stage.OPPORTUNITY]):
                step = {S[Stage.SAL]: (S[Stage.SQL], 8, 1.3, -0.6),
                        S[Stage.SQL]: (S[Stage.OPPORTUNITY], 14, 1.2, -0.3),
                        S[Stage.OPPORTUNITY]: (S[Stage.CUSTOMER], 35, 1.3, -1.6)}[int(code)]
                target, days, slope, shift = step
                gap = rng.exponential(days * DAY, k) + HOUR
                win = u < _sigmoid(slope * q + shift)
                nxt[win] = target
                lost = ~win
                recycle = lost & (rng.random(k) < 0.5)
                nxt[recycle] = S[Stage.RECYCLED]
                reason[recycle] = n_reject + _pick(rng, RECYCLE_WEIGHTS, int(recycle.sum()))
                disq = lost & ~recycle
                nxt[disq] = S[Stage.DISQUALIFIED]
                reason[disq] = _reject_reasons(rng, q[disq])
                by_rep[:] = True
                meet = win & (target != S[Stage.CUSTOMER])
                meet_at = at[sub[meet]] + (0.8 * gap[meet]).astype(np.int64)
                ok = meet_at < end
                history.touch(sub[meet][ok], meet_at[ok],
                              np.full(int(ok.sum()), KIND[ActivityKind.MEETING]),
                              rep[sub[meet][ok]])
            elif code == S[Stage.CUSTOMER]:
                gap = rng.exponential(120 * DAY, k)
                nxt[u < 0.2] = S[Stage.EVANGELIST]
                by_rep[:] = True
            elif code == S[Stage.RECYCLED]:
                # back in the queue on the revisit date
                gap = (revisit[sub] - at[sub]).astype(float)
                nxt[:] = S[Stage.MQL]
            else:  # disqualified and evangelist end the walk
                gap = np.zeros(k)

            when = at[sub] + gap.astype(np.int64)
            moves = (nxt != STAY) & (when < end)
            moved = sub[moves]
            history.change(moved, stage[moved], nxt[moves], when[moves],
                           np.where(by_rep[moves], rep[moved], 0), reason[moves])
            moving[sub[~moves]] = False
            new = nxt[moves]
            stage[moved] = new
            at[moved] = when[moves]
            mql_at[moved[new == S[Stage.MQL]]] = when[moves][new == S[Stage.MQL]]
            reached_sql[moved[new == S[Stage.SQL]]] = True
            rejected = moved[(new == S[Stage.DISQUALIFIED]) & (reason[moves] >= 0)]
            reject_reason[rejected] = reason[moves][(new == S[Stage.DISQUALIFIED])
                                                    & (reason[moves] >= 0)]
            # routing assigns most new MQLs to a rep; the rest wait in the pool
            routed = moved[(new == S[Stage.MQL]) & (rng.random(moved.size) < 0.65)]
            owner[routed] = rep[routed]
            owner[moved[by_rep[moves]]] = rep[moved[by_rep[moves]]]
            recycled = moves & (nxt == S[Stage.RECYCLED])
            # a date to look again means from the start of that day: midnight
            revisit[sub[recycled]] = (when[recycled] // DAY + rng.integers(
                30, 121, int(recycled.sum()))) * DAY
            moving[moved[(new == S[Stage.DISQUALIFIED]) | (new == S[Stage.EVANGELIST])]] = False
    owner[stage == S[Stage.LEAD]] = 0
    return stage, at, owner, revisit, mql_at, reached_sql, reject_reason


def _reject_reasons(rng, q: np.ndarray) -> np.ndarray:
    good = q > 0
    out = np.empty(q.size, dtype=np.int64)
    out[good] = _pick(rng, REJECT_WEIGHTS_GOOD, int(good.sum()))
    out[~good] = _pick(rng, REJECT_WEIGHTS_POOR, int((~good).sum()))
    return out


def _behaviour(rng, n, created, end, intent, mql_at) -> dict[str, np.ndarray]:
    """Behaviour events: more and hotter for leads with more intent."""
    counts = np.minimum(rng.poisson(np.exp(0.95 + 0.55 * intent)), 80)
    lead = np.repeat(np.arange(n, dtype=np.int32), counts)
    total = lead.size
    span = (end - created)[lead]
    # hot leads act around their MQL moment; others spread over their lifetime
    at = created[lead] + (span * rng.beta(1.2, 1.6, total)).astype(np.int64)
    near_mql = (mql_at[lead] > 0) & (rng.random(total) < 0.5)
    at[near_mql] = np.maximum(
        created[lead][near_mql],
        mql_at[lead][near_mql] - rng.exponential(3 * DAY, int(near_mql.sum())).astype(np.int64))
    at = np.minimum(at, end - 60)
    band = np.where(intent[lead] > 1.0, 2, np.where(intent[lead] > -0.2, 1, 0))
    kind = np.empty(total, dtype=np.int8)
    page = np.zeros(total, dtype=np.int8)  # codes into PAGE_NAMES
    url = np.zeros(total, dtype=np.int16)  # codes into URL_NAMES
    for b, name in enumerate(("cold", "warm", "hot")):
        rows = np.flatnonzero(band == b)
        mix = BEHAVIOUR_MIX[name]
        choice = _pick(rng, [m[2] for m in mix], rows.size)
        kind[rows] = np.array([KIND[m[0]] for m in mix])[choice]
        for j, (_k, page_kind, _w) in enumerate(mix):
            if page_kind is None:
                continue
            hit = rows[choice == j]
            page[hit] = list(PageKind).index(page_kind) + 1
            url[hit] = FIRST_URL[page_kind] + rng.integers(0, len(PAGES[page_kind]), hit.size)
    return {"lead": lead, "at": at, "kind": kind, "page": page, "url": url}


def _bant_rows(rng, stage, reached_sql, reject_reason, at, owner):
    """BANT records for every lead sales has worked, consistent with where it went."""
    worked = np.flatnonzero(reached_sql | np.isin(stage, [S[Stage.SAL], S[Stage.SQL]])
                            | (reject_reason >= 0) & (owner > 0))
    k = worked.size
    statuses = np.array([s.value for s in BantStatus], dtype=object)
    columns = {}
    for item in BANT_ITEMS:
        # SQLs meet the default rule: need confirmed, the rest confirmed or partial
        status = _pick(rng, (30, 30, 30, 10), k)  # unknown, confirmed, partial, failed
        qualified = reached_sql[worked]
        status[qualified] = np.where(rng.random(int(qualified.sum())) < 0.7, 1, 2)
        if item == "need":
            status[qualified] = 1
        failed_here = np.array([FAILED_ITEM.get(REJECT_REASONS[r]) == item if r >= 0 else False
                                for r in reject_reason[worked].tolist()], dtype=bool)
        status[failed_here] = 3
        status[~qualified & ~failed_here & (status == 3)] = 0
        notes = np.array(BANT_NOTES[item], dtype=object)[rng.integers(0, 3, k)]
        notes[status == 0] = None
        columns[item] = statuses[status].tolist()
        columns[f"{item}_note"] = notes.tolist()
    cols = ("lead_id", *[c for item in BANT_ITEMS for c in (item, f"{item}_note")],
            "updated_at", "updated_by")
    rows = zip((worked + 1).tolist(),
               *[columns[c] for item in BANT_ITEMS for c in (item, f"{item}_note")],
               sql_times(at[worked]), _nullable(owner[worked], owner[worked] > 0),
               strict=True)
    return cols, rows


def default_as_of() -> datetime:
    """Demo time runs up to now, to the hour, so the queue and its SLAs look alive."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def parse_as_of(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--as-of wants a date or date and time such as 2026-11-23 or "
                       f"2026-11-23T09:00, not {text!r}.") from None


def create_database(path: Path, *, leads: int = 2000, seed: int = 7,
                    as_of: datetime | None = None, replace: bool = False, score: bool = True,
                    progress: Callable[[str], None] | None = None) -> DemoResult:
    """Generate the demo into a new file beside `path` and move it into place when complete,
    so an interrupted run leaves no half-written database behind.

    With score, the leads are stored with their scores under the default criteria as of
    the start of the demo's day, as a rescore would store them (leads reaching the MQL
    threshold become MQLs at the demo's 'now')."""
    # inspect_file also refuses a file of another program, whatever --replace says
    if db.inspect_file(path) is not None and not replace:
        with Store.open(path) as existing:
            count = existing.stats().leads
        raise Refused(f"{path} already holds a workbench database ({count:,} leads). "
                      "Pass --replace to overwrite it with a new demo, "
                      "or choose another file with --db.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    _remove_database_files(partial)
    try:
        with Store.open(partial, durable=False) as store:
            result = generate(store, leads=leads, seed=seed, as_of=as_of,
                              criteria=store.current_criteria() if score else None,
                              progress=progress)
            store.mark_demo()  # made-up leads never go to a team server
        with partial.open("rb+") as built:  # written without syncs: sync once, then publish
            os.fsync(built.fileno())
        _remove_database_files(path)
        os.replace(partial, path)
    finally:
        _remove_database_files(partial)
    return result


def _remove_database_files(path: Path) -> None:
    # A stale -wal beside a new main file would be replayed into it: remove all three.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
