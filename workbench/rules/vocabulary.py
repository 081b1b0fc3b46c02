"""The domain's vocabulary: roles, sources, activity and page kinds, BANT statuses."""

from __future__ import annotations

from enum import StrEnum

# codes whose words are not the code with spaces
WORDS = {"c_level": "C-level", "vp": "VP", "svp": "SVP", "evp": "EVP", "cxo": "CxO"}


def in_words(code: str | None) -> str:
    """A stored code as a person reads it: 'web_form' -> 'Web form', 'c_level' -> 'C-level'."""
    if not code:
        return ""
    if code.lower() in WORDS:
        return WORDS[code.lower()]
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"


class Source(StrEnum):
    WEB_FORM = "web_form"
    WEBINAR = "webinar"
    EVENT = "event"
    REFERRAL = "referral"
    PAID_ADS = "paid_ads"
    ORGANIC_SEARCH = "organic_search"
    PARTNER = "partner"
    LIST_IMPORT = "list_import"


class ActivityKind(StrEnum):
    # behaviour of the person
    PAGE_VIEW = "page_view"
    DOWNLOAD = "download"
    WEBINAR = "webinar"
    EMAIL_OPEN = "email_open"
    EMAIL_CLICK = "email_click"
    FORM_SUBMIT = "form_submit"
    DEMO_REQUEST = "demo_request"
    PRICING_REQUEST = "pricing_request"
    UNSUBSCRIBE = "unsubscribe"
    BOUNCE = "bounce"
    # touches by a rep
    CALL = "call"
    EMAIL_SENT = "email_sent"
    MEETING = "meeting"
    NOTE = "note"
    QUALIFICATION = "qualification"  # a BANT item was set (the note says which, and how)
    ASSIGNED = "assigned"  # the lead was given to someone (the note says from whom and why)


# The touches that reach the person, and so answer the follow-up SLA (a note does not).
SLA_TOUCHES = frozenset({ActivityKind.CALL, ActivityKind.EMAIL_SENT, ActivityKind.MEETING})


class PageKind(StrEnum):
    HOME = "home"
    BLOG = "blog"
    SOCIAL = "social"
    PRODUCT = "product"
    DOCS = "docs"
    CASE_STUDY = "case_study"
    COMPARISON = "comparison"
    BUYERS_GUIDE = "buyers_guide"
    PRICING = "pricing"
    CAREERS = "careers"


class BantStatus(StrEnum):
    UNKNOWN = "unknown"
    CONFIRMED = "confirmed"
    PARTIAL = "partial"
    FAILED = "failed"
