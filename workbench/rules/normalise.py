"""Values from other systems' files made into the workbench's: each parser returns the clean
value, None for a missing one, or raises ValueError saying what is wrong with it."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache, lru_cache

from workbench.rules.cells import FORMULA_STARTS
from workbench.rules.vocabulary import ActivityKind, PageKind

# What exports write for "no value".
PLACEHOLDERS = frozenset({"", "-", "--", "—", "n/a", "na", "#n/a", "null", "none", "nil",
                          "undefined", "select", "--select--", "-- select --", "unknown", "?",
                          "not available", "nan"})
PLACEHOLDER_LENGTH = max(map(len, PLACEHOLDERS))
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
                   r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
EMPLOYEE_BANDS = (("1-10", 10), ("11-50", 50), ("51-200", 200), ("201-1000", 1000),
                  ("1001-5000", 5000), ("5001+", None))
REVENUE_BANDS = (("<1M", 1e6), ("1M-10M", 1e7), ("10M-50M", 5e7), ("50M-250M", 2.5e8),
                 ("250M-1B", 1e9), ("1B+", None))
COUNTRY_ALIASES = {"uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
                   "great britain": "GB", "deutschland": "DE", "holland": "NL",
                   "the netherlands": "NL", "u.s.": "US", "u.s.a.": "US", "america": "US",
                   "united states of america": "US", "south korea": "KR", "russia": "RU",
                   "españa": "ES", "schweiz": "CH", "suisse": "CH", "österreich": "AT",
                   "czech republic": "CZ", "uae": "AE", "vietnam": "VN"}
# job title words -> seniority, most senior first (the first that matches wins)
SENIORITY_WORDS = (
    ("c_level", re.compile(r"\b(chief|ceo|cfo|cto|cmo|cro|coo|cio|founder|co-founder|owner|"
                           r"president|managing director|geschäftsführer)\b", re.I)),
    ("vp", re.compile(r"\b(vp|svp|evp|vice president)\b", re.I)),
    ("director", re.compile(r"\b(director|head of|head)\b", re.I)),
    ("manager", re.compile(r"\b(manager|lead|leiter|team lead)\b", re.I)),
    ("intern", re.compile(r"\b(intern|internship|trainee|werkstudent)\b", re.I)),
    ("student", re.compile(r"\b(student|phd candidate)\b", re.I)),
)
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
                "%Y-%m-%dT%H:%M:%S.%f", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d %b %Y", "%d %B %Y",
                "%b %d, %Y", "%B %d, %Y", "%b %d, %Y %I:%M %p", "%Y/%m/%d")
SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?"
                        r"\s*([AaPp][Mm])?)?$")
OUTCOMES = {"won": "won", "win": "won", "converted": "won", "customer": "won", "closed won": "won",
            "1": "won", "true": "won", "yes": "won", "y": "won",
            "lost": "lost", "loss": "lost", "not converted": "lost", "closed lost": "lost",
            # "not converted" as a flag: lost if the lead was closed, else still open
            "0": "not_won", "false": "not_won", "no": "not_won", "n": "not_won"}
# URL path words -> the page kind scoring rules know
PAGE_WORDS = (("pricing", PageKind.PRICING), ("price", PageKind.PRICING),
              ("case-stud", PageKind.CASE_STUDY), ("customers/", PageKind.CASE_STUDY),
              ("compar", PageKind.COMPARISON), ("-vs-", PageKind.COMPARISON),
              ("guide", PageKind.BUYERS_GUIDE), ("ebook", PageKind.BUYERS_GUIDE),
              ("whitepaper", PageKind.BUYERS_GUIDE), ("docs", PageKind.DOCS),
              ("documentation", PageKind.DOCS), ("blog", PageKind.BLOG),
              ("career", PageKind.CAREERS), ("jobs", PageKind.CAREERS),
              ("product", PageKind.PRODUCT), ("features", PageKind.PRODUCT),
              ("platform", PageKind.PRODUCT))
ACTIVITY_ALIASES = {"pageview": "page_view", "page view": "page_view", "visit": "page_view",
                    "website visit": "page_view", "form submission": "form_submit",
                    "form": "form_submit", "demo request": "demo_request",
                    "demo": "demo_request", "pricing request": "pricing_request",
                    "quote request": "pricing_request", "email open": "email_open",
                    "opened email": "email_open", "email click": "email_click",
                    "clicked email": "email_click", "webinar attended": "webinar",
                    "unsubscribed": "unsubscribe", "bounced": "bounce",
                    "email sent": "email_sent", "phone call": "call", "meeting booked": "meeting"}


def clean(value: object) -> str | None:
    """The text of a cell, trimmed; None for a placeholder that means 'no value'."""
    if value is None:
        return None
    text = (value if isinstance(value, str) else str(value)).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        text = text[1:]  # neutralised by an export (see cells.py): the value itself
    # placeholders are short: most values are not lowered at all (a million rows a file)
    return None if len(text) <= PLACEHOLDER_LENGTH and text.lower() in PLACEHOLDERS else text


def email(text: str) -> str:
    value = text.strip().strip("<>").lower()
    if value.startswith("mailto:"):
        value = value[7:]
    if not EMAIL.match(value):
        raise ValueError("not an email address")
    return value


@cache
def country(text: str) -> str:
    """An ISO 3166 alpha-2 code from a code or a name in English (and a few common others)."""
    import pycountry

    key = text.strip().lower()
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(key)[0].alpha_2
        except LookupError:
            raise ValueError("not a country name or code") from None


def _number(text: str) -> float:
    """'1,200', '5.5M', '$3 million', '2k' -> a number."""
    cleaned = text.lower().replace(",", "").replace("$", "").replace("€", "").replace("£", "")
    cleaned = cleaned.replace("million", "m").replace("billion", "b").replace("+", "").strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):  # 1.200: a thousands separator
        cleaned = cleaned.replace(".", "")
    factor = 1.0
    for suffix, multiple in (("k", 1e3), ("m", 1e6), ("b", 1e9), ("bn", 1e9)):
        if cleaned.endswith(suffix) and cleaned[:-len(suffix)].strip():
            cleaned, factor = cleaned[:-len(suffix)].strip(), multiple
            break
    return float(cleaned) * factor


def _band(text: str, bands, what: str) -> str:
    labels = {label.lower(): label for label, _ in bands}
    if text.strip().lower() in labels:
        return labels[text.strip().lower()]
    parts = re.split(r"\s*(?:-|–|to)\s*", text.strip(), maxsplit=1)
    try:
        low = _number(parts[0])
        high = _number(parts[1]) if len(parts) > 1 and parts[1] else low
    except ValueError:
        raise ValueError(f"not {what}") from None
    middle = (low + high) / 2
    return next(label for label, top in bands if top is None or middle <= top)


@lru_cache(maxsize=8192)
def employee_band(text: str) -> str:
    return _band(text, EMPLOYEE_BANDS, "a number of employees or a range")


@lru_cache(maxsize=8192)
def revenue_band(text: str) -> str:
    return _band(text, REVENUE_BANDS, "an amount of revenue or a range")


@lru_cache(maxsize=8192)  # exports repeat dates: each is parsed once
def moment(text: str) -> datetime:
    """A date or time in the formats exports use; d/m/y when the first number is over 12,
    m/d/y otherwise (as US systems write it). Time zones are dropped: times are UTC."""
    value = text.strip()
    try:  # ISO 8601, the usual case, at C speed
        parsed = datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        return parsed.replace(tzinfo=None)
    if value.endswith("Z"):
        value = value[:-1]
    value = re.sub(r"[+-]\d{2}:?\d{2}$", "", value) if "T" in value else value
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    found = SLASH_DATE.match(value)
    if found:
        first, second, year, hour, minute, second_s, half = found.groups()
        month, day = (int(second), int(first)) if int(first) > 12 else (int(first), int(second))
        year_n = int(year) + (2000 if len(year) == 2 else 0)
        hours = int(hour or 0) % 12 + (12 if half and half.lower() == "pm" else 0) \
            if half else int(hour or 0)
        try:
            return datetime(year_n, month, day, hours, int(minute or 0), int(second_s or 0))
        except ValueError:
            pass
    if re.fullmatch(r"\d{12,13}", value):  # milliseconds since 1970, as some APIs export
        return datetime.utcfromtimestamp(int(value) / 1000)
    raise ValueError("not a date")


def day(text: str) -> date:
    return moment(text).date()


@lru_cache(maxsize=8192)
def seniority(title: str | None) -> str | None:
    if not title:
        return None
    return next((level for level, words in SENIORITY_WORDS if words.search(title)),
                "individual")


SENIORITY_LEVELS = ("c_level", "vp", "director", "manager", "individual", "intern", "student")


@lru_cache(maxsize=8192)
def seniority_level(text: str) -> str:
    """A seniority as written (c_level, vp, ...), or guessed from words like a title's."""
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    if value in SENIORITY_LEVELS:
        return value
    return seniority(text) or "individual"


@lru_cache(maxsize=8192)
def outcome(text: str) -> str:
    """won, lost, or not_won (a flag saying "not converted", see OUTCOMES); a date is the
    day the lead was won, as closed-deal exports write it."""
    value = OUTCOMES.get(text.strip().lower())
    if value is None:
        try:
            moment(text)
        except ValueError:
            raise ValueError("not an outcome (won/lost, converted, 1/0, yes/no, true/false "
                             "or a won date)") from None
        return "won"
    return value


@lru_cache(maxsize=8192)
def source(text: str) -> str:
    """A source as a short code: known channels to the workbench's names, others kept."""
    code = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")[:40]
    return SOURCE_ALIASES.get(code, code)


SOURCE_ALIASES = {
    "web": "web_form", "website": "web_form", "web_form": "web_form", "form": "web_form",
    "contact_form": "web_form", "direct_traffic": "web_form", "inbound": "web_form",
    "webinar": "webinar", "seminar_internal": "webinar", "seminar_partner": "webinar",
    "trade_show": "event", "event": "event", "events": "event", "conference": "event",
    "offline": "event", "offline_sources": "event",
    "referral": "referral", "referrals": "referral", "employee_referral": "referral",
    "word_of_mouth": "referral", "customer_referral": "referral",
    "paid_search": "paid_ads", "paid_social": "paid_ads", "advertisement": "paid_ads",
    "ads": "paid_ads", "ppc": "paid_ads", "google_ads": "paid_ads", "linkedin_ads": "paid_ads",
    "paid_ads": "paid_ads", "organic_search": "organic_search", "search_engine": "organic_search",
    "seo": "organic_search", "organic": "organic_search",
    "partner": "partner", "partner_referral": "partner", "partners": "partner",
    "purchased_list": "list_import", "list": "list_import", "list_import": "list_import",
    "import": "list_import",
}


@lru_cache(maxsize=8192)
def activity_kind(text: str) -> str:
    key = text.strip().lower().replace("-", " ")
    value = ACTIVITY_ALIASES.get(key, key.replace(" ", "_"))
    if value not in {kind.value for kind in ActivityKind}:
        raise ValueError(f"not an activity kind (one of "
                         f"{', '.join(kind.value for kind in ActivityKind)})")
    return value


def touch_outcome(text: str) -> str:
    """How a rep's call, email or meeting went (rules.followup.Outcome), as exported."""
    from workbench.rules.followup import Outcome

    value = text.strip().lower().replace(" ", "_")
    if value not in {outcome.value for outcome in Outcome}:
        raise ValueError(f"not how a touch went (one of "
                         f"{', '.join(outcome.label for outcome in Outcome)})")
    return value


@lru_cache(maxsize=8192)
def page_kind(url: str | None) -> str | None:
    if not url:
        return None
    lowered = url.lower()
    found = next((kind.value for word, kind in PAGE_WORDS if word in lowered), None)
    if found is None and "/" not in lowered.split("//", 1)[-1].strip("/"):
        return PageKind.HOME.value  # the site itself
    return found


@lru_cache(maxsize=8192)
def domain_of(text: str) -> str:
    """'https://www.Acme.com/about' or 'jane@acme.com' -> 'acme.com'."""
    value = text.strip().lower()
    value = value.rsplit("@", 1)[-1]
    scheme, found, rest = value.partition("://")
    if found and scheme.isascii() and scheme.isalpha():
        value = rest
    value = value.split("/", 1)[0].split(":", 1)[0]
    value = value.removeprefix("www.")
    if "." not in value or " " in value:
        raise ValueError("not a web address or domain")
    return value


def number(text: str) -> float:
    try:
        return _number(text)
    except ValueError:
        raise ValueError("not a number") from None


