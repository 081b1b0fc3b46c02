"""The team's written definition of a good lead: scoring rules, MQL threshold, buyer journey.

Sales and marketing share one definition; every change is a new version in the database
(see Store.save_criteria). This module holds the shape, the defaults and the validation.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from workbench.rules.qualification import SqlRule
from workbench.rules.refusals import BadInput
from workbench.rules.rotting import ROTTING_STAGES, Rotting
from workbench.rules.routing import RoutingRule, validate_rules
from workbench.rules.views import SavedView, validate_views

# Lead fields a fit rule can test. email_domain is the part after the '@'; account_status
# is 'customer' for a lead that is not a customer itself when another lead at its company
# is a customer or evangelist already.
FIT_FIELDS = ("seniority", "job_title", "employee_band", "revenue_band", "industry", "country",
              "email_domain", "company_domain", "account_status", "source")
# A fit rule may also test a field kept from an import: "custom:" and the column's name.
CUSTOM_FIELD = "custom:"
MATCHES = ("equals", "contains", "ends_with", "between")
CUSTOMER_ACCOUNT = "customer"  # the account_status of a company that buys already
JOURNEY_STAGES = ("awareness", "interest", "evaluation", "intent")
MAX_FIT_RULES = 62  # each is one bit of a 64-bit integer when scored
REASON_KINDS = ("reject", "recycle")


# the parts of the criteria that scores, grades, the buyer journey and promotion follow
SCORING_PARTS = ("half_life_days", "journey_window_days", "fit_grades", "engagement_grades",
                 "fit_rules", "engagement_rules", "journey", "mql_threshold")

@dataclass(frozen=True)
class Range:
    """Where a number of the criteria may lie (both ends included)."""

    low: float
    high: float
    whole: bool = False  # a whole number

    def problem(self, value: object) -> str | None:
        """Why the value is not allowed, None when it is."""
        if not _is_number(value) or not math.isfinite(value):
            return f"must be a number, not {value!r}"
        if self.whole and value != int(value):
            return f"must be a whole number, not {value}"
        if not self.low <= value <= self.high:
            return f"must be from {self.low:g} to {self.high:g}, not {value:g}"
        return None


# The range of every number of the criteria (README, Team criteria): wide enough for any
# team, narrow enough that scores stay small whole numbers and a threshold cannot make
# every lead an MQL. The Team criteria dialog's boxes take the same ranges.
RANGES = {
    "mql_threshold": Range(1, 1000, whole=True),
    "sla_hours": Range(0.5, 24 * 365),
    "half_life_days": Range(0.5, 3650),
    "journey_window_days": Range(1, 3650),
    "recycle_days": Range(1, 3650, whole=True),
    "rotting": Range(0, 3650, whole=True),  # days without a touch; 0: the stage never rots
    "grades": Range(-1000, 1000, whole=True),  # fit_grades and engagement_grades
    "points": Range(-100, 100),  # of a fit or engagement rule
    "cap": Range(0.5, 1000),  # of an engagement rule
    "min_count": Range(1, 1000, whole=True),  # of a journey step
}
REASON_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # stored in stage_changes.reason_code


@dataclass(frozen=True)
class FitRule:
    """Points when a lead field matches: equals one of `values`, or with `contains`,
    includes one of them (case-insensitive); `ends_with` tests the end of the value;
    `between` holds for a number from values[0] (included) to values[1] (excluded), an
    empty end being open."""

    label: str
    field: str
    values: tuple[str, ...]
    points: int
    match: str = "equals"  # equals | contains | ends_with | between


@dataclass(frozen=True)
class EngagementRule:
    """Points for each activity of `kind` (on a page of `page_kind`, if given), halved every
    half-life of age, summed over repeats and capped at `cap` (absolute value) if given."""

    label: str
    kind: str
    points: float
    page_kind: str | None = None
    cap: float | None = None


@dataclass(frozen=True)
class JourneyStep:
    """Activities that place a lead at a buyer-journey stage, once seen `min_count` times."""

    stage: str
    kind: str
    page_kind: str | None = None
    min_count: int = 1


@dataclass(frozen=True)
class ReasonOption:
    """One entry of a reason catalogue: the code reports count, the label reps read."""

    code: str
    label: str


_R = ReasonOption
DEFAULT_REJECT_REASONS = (
    _R("no_budget", "No budget"), _R("not_decision_maker", "Not the decision maker"),
    _R("no_need", "No need"), _R("bad_timing", "Bad timing"), _R("bad_data", "Bad or fake data"),
    _R("competitor", "Competitor"), _R("existing_customer", "Existing customer"),
    _R("duplicate", "Duplicate"),
)
DEFAULT_RECYCLE_REASONS = (
    _R("not_ready", "Not ready to buy yet"), _R("bad_timing", "Bad timing"),
    _R("no_budget", "No budget this period"), _R("wrong_contact", "Wrong contact"),
)


@dataclass(frozen=True)
class Criteria:
    version: int = 0  # 0: the built-in default, never saved
    mql_threshold: int = 55
    sla_hours: float = 24
    half_life_days: float = 30
    journey_window_days: float = 90
    # grade: fit letter A-D by the first threshold the fit score reaches; engagement 1-4 alike
    fit_grades: tuple[int, ...] = (40, 25, 10)
    engagement_grades: tuple[int, ...] = (40, 20, 8)
    fit_rules: tuple[FitRule, ...] = field(default_factory=tuple)
    engagement_rules: tuple[EngagementRule, ...] = field(default_factory=tuple)
    journey: tuple[JourneyStep, ...] = field(default_factory=tuple)
    sql_rule: SqlRule = field(default_factory=SqlRule)
    recycle_days: int = 90  # default time before a recycled lead comes back
    reject_reasons: tuple[ReasonOption, ...] = DEFAULT_REJECT_REASONS
    recycle_reasons: tuple[ReasonOption, ...] = DEFAULT_RECYCLE_REASONS
    # who new MQLs go to (rules.routing); none: they wait in the pool
    routing: tuple[RoutingRule, ...] = ()
    # the team's saved views (rules.views), offered on every laptop beside its own
    views: tuple[SavedView, ...] = ()
    # days without a touch before an open lead is stale, by stage (rules.rotting)
    rotting: Rotting = field(default_factory=Rotting)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("version")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], version: int = 0, *,
                  complete: bool = True) -> Criteria:
        """Build and validate; a problem raises BadInput naming the rule and the field.
        complete=False checks a part of the criteria alone (it may have no rules)."""
        known = {f for f in cls.__dataclass_fields__ if f != "version"}
        unknown = set(data) - known
        if unknown:
            raise BadInput(f"Unknown criteria setting: {', '.join(sorted(unknown))}.")
        try:
            criteria = cls(
                version=version,
                **{k: data[k] for k in ("mql_threshold", "sla_hours", "half_life_days",
                                        "journey_window_days", "recycle_days") if k in data},
                sql_rule=SqlRule(**{**data.get("sql_rule", {}), "confirmed": tuple(
                    data.get("sql_rule", {}).get("confirmed", SqlRule.confirmed))}),
                fit_grades=tuple(data.get("fit_grades", cls.fit_grades)),
                engagement_grades=tuple(data.get("engagement_grades", cls.engagement_grades)),
                fit_rules=tuple(FitRule(**{**r, "values": tuple(r["values"])})
                                for r in data.get("fit_rules", ())),
                engagement_rules=tuple(EngagementRule(**r)
                                       for r in data.get("engagement_rules", ())),
                journey=tuple(JourneyStep(**s) for s in data.get("journey", ())),
                routing=tuple(RoutingRule.from_dict(r) for r in data.get("routing", ())),
                views=tuple(SavedView.from_dict(v) for v in data.get("views", ())),
                rotting=Rotting(**data.get("rotting", {})),
                **{f"{kind}_reasons": tuple(ReasonOption(**r) for r in data[f"{kind}_reasons"])
                   for kind in REASON_KINDS if f"{kind}_reasons" in data},
            )
        except (TypeError, KeyError) as problem:
            raise BadInput(f"A rule is incomplete or has an unknown field: {problem}.") from None
        criteria.validate(complete=complete)
        return criteria

    def validate(self, *, complete: bool = True) -> None:
        """BadInput naming the first problem; complete: also that there are rules."""
        for name in ("mql_threshold", "sla_hours", "half_life_days", "journey_window_days",
                     "recycle_days"):
            _check_range(name, name, getattr(self, name))
        for stage in ROTTING_STAGES:
            _check_range(f"rotting.{stage}", "rotting", getattr(self.rotting, stage))
        for name in ("fit_grades", "engagement_grades"):
            for grade in getattr(self, name):
                _check_range(name, "grades", grade)
        for rule in (*self.fit_rules, *self.engagement_rules):
            _check_range(f"Rule '{rule.label}': points", "points", rule.points)
        for rule in self.engagement_rules:
            if rule.cap is not None:
                _check_range(f"Engagement rule '{rule.label}': cap", "cap", rule.cap)
        for step in self.journey:
            _check_range(f"Journey step for '{step.kind}': min_count", "min_count",
                         step.min_count)
        for rule in self.fit_rules:
            if not all(isinstance(v, str) for v in rule.values):
                raise BadInput(f"Fit rule '{rule.label}': values must be text.")
        self.sql_rule.validate()
        for name in ("fit_grades", "engagement_grades"):
            grades = getattr(self, name)
            if len(grades) != 3 or list(grades) != sorted(grades, reverse=True):
                raise BadInput(f"{name} must be three thresholds, highest first.")
        if len(self.fit_rules) > MAX_FIT_RULES:
            raise BadInput(f"At most {MAX_FIT_RULES} fit rules; merge some of them.")
        for rule in self.fit_rules:
            if rule.field not in FIT_FIELDS and not is_custom_field(rule.field):
                raise BadInput(f"Fit rule '{rule.label}': unknown field '{rule.field}' "
                               f"(one of {', '.join(FIT_FIELDS)}, or {CUSTOM_FIELD} and the "
                               "name of an imported column).")
            if rule.match not in MATCHES:
                raise BadInput(f"Fit rule '{rule.label}': match must be equals, contains, "
                               "ends_with or between.")
            if not rule.values:
                raise BadInput(f"Fit rule '{rule.label}' has no values.")
            if rule.match == "between":
                _check_band(rule)
        for step in self.journey:
            if step.stage not in JOURNEY_STAGES:
                raise BadInput(f"Journey step for '{step.kind}': unknown stage '{step.stage}'.")
        labels = [r.label for r in (*self.fit_rules, *self.engagement_rules)]
        if len(labels) != len(set(labels)):
            raise BadInput("Two rules have the same label; each must say what it is.")
        for kind in REASON_KINDS:
            self._validate_reasons(kind)
        validate_rules(self.routing)
        validate_views(self.views)
        if complete and not (self.fit_rules or self.engagement_rules):
            raise BadInput("There are no scoring rules: every score would be 0. Give at "
                           "least one fit or engagement rule.")

    def _validate_reasons(self, kind: str) -> None:
        options = self.reasons(kind)
        codes = [option.code for option in options]
        for option in options:
            if not isinstance(option.code, str) or not REASON_CODE.fullmatch(option.code):
                raise BadInput(f"{kind.capitalize()} reason '{option.code}': a code is 1-40 "
                               "lowercase letters, digits or _, starting with a letter.")
            if not isinstance(option.label, str) or not option.label.strip():
                raise BadInput(f"{kind.capitalize()} reason '{option.code}' needs a label.")
        if not codes:
            raise BadInput(f"The {kind} reasons must offer at least one reason.")
        if len(codes) != len(set(codes)):
            raise BadInput(f"Two {kind} reasons have the same code.")

    def reasons(self, kind: str) -> tuple[ReasonOption, ...]:
        """The catalogue reps choose from when they reject or recycle a lead."""
        return getattr(self, f"{kind}_reasons")

    def scores_differently(self, other: Criteria) -> bool:
        """Whether these criteria give a lead another score, grade or stage than `other`
        (a reason catalogue or the SLA changes no score)."""
        before, after = other.to_dict(), self.to_dict()
        return any(before[part] != after[part] for part in SCORING_PARTS)

    def with_changes(self, **changes: Any) -> Criteria:
        changed = replace(self, **changes)
        changed.validate()
        return changed


_F, _E, _J = FitRule, EngagementRule, JourneyStep
# the demo's competitors; a team lists its own in the criteria
COMPETITOR_DOMAINS = ("leadforge.io", "pipelinepro.com")
FREE_MAIL_DOMAINS = ("gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com",
                     "gmx.de", "web.de", "icloud.com", "aol.com", "proton.me")
FREE_MAIL = frozenset(FREE_MAIL_DOMAINS)  # a person's mail, not their company's domain

DEFAULT_CRITERIA = Criteria(
    fit_rules=(
        _F("Executive (C-level or VP)", "seniority", ("c_level", "vp"), 20),
        _F("Director or head of a team", "seniority", ("director",), 15),
        _F("Manager", "seniority", ("manager",), 8),
        _F("Student or intern", "seniority", ("student", "intern"), -20),
        _F("Works in sales, marketing or RevOps", "job_title",
           ("sales", "revenue", "marketing", "crm", "demand"), 10, "contains"),
        _F("Mid-size or large company (201-5,000)", "employee_band",
           ("201-1000", "1001-5000"), 15),
        _F("Enterprise (5,001+)", "employee_band", ("5001+",), 8),
        _F("Growing company (51-200)", "employee_band", ("51-200",), 5),
        _F("Very small company (1-10)", "employee_band", ("1-10",), -10),
        _F("Target industry", "industry", ("Software", "Financial Services"), 10),
        _F("Good-fit industry", "industry",
           ("Manufacturing", "Healthcare", "Telecommunications", "Logistics"), 5),
        _F("Poor-fit industry", "industry", ("Education", "Government", "Non-profit"), -10),
        _F("Free-mail address", "email_domain", FREE_MAIL_DOMAINS, -10),
        _F("Student address", "email_domain", (".edu",), -15, "ends_with"),
        _F("Works at a competitor", "company_domain", COMPETITOR_DOMAINS, -40),
        _F("Company is a customer already (for account management)", "account_status",
           (CUSTOMER_ACCOUNT,), -25),
    ),
    engagement_rules=(
        _E("Requested a demo", "demo_request", 30, cap=30),
        _E("Asked for pricing", "pricing_request", 25, cap=25),
        _E("Viewed the pricing page", "page_view", 8, "pricing", cap=24),
        _E("Submitted a form", "form_submit", 10, cap=20),
        _E("Downloaded a buyer's guide", "download", 8, "buyers_guide", cap=16),
        _E("Read a comparison", "page_view", 5, "comparison", cap=15),
        _E("Read a case study", "page_view", 5, "case_study", cap=15),
        _E("Attended a webinar", "webinar", 8, cap=16),
        _E("Viewed product pages", "page_view", 3, "product", cap=15),
        _E("Read the docs", "page_view", 2, "docs", cap=8),
        _E("Other downloads", "download", 3, cap=9),
        _E("Clicked an email", "email_click", 2, cap=10),
        _E("Opened an email", "email_open", 0.5, cap=3),
        _E("Read the blog", "page_view", 1, "blog", cap=5),
        _E("Looked at careers", "page_view", -5, "careers", cap=10),
        _E("Their company researches our topics (strong intent)", "intent", 6, "strong",
           cap=18),
        _E("Their company researches our topics", "intent", 3, "moderate", cap=9),
        _E("Unsubscribed", "unsubscribe", -15, cap=15),
        _E("Email bounced", "bounce", -20, cap=20),
    ),
    journey=(
        _J("intent", "demo_request"), _J("intent", "pricing_request"),
        _J("intent", "page_view", "pricing"), _J("intent", "form_submit"),
        _J("evaluation", "page_view", "case_study"), _J("evaluation", "page_view", "comparison"),
        _J("evaluation", "download", "buyers_guide"), _J("evaluation", "webinar"),
        _J("interest", "page_view", "product", min_count=2),
        _J("interest", "page_view", "docs", min_count=2),
        _J("awareness", "page_view", "blog"), _J("awareness", "page_view", "social"),
        _J("awareness", "page_view", "home"), _J("awareness", "email_open"),
        _J("awareness", "email_click"),
    ),
)


def is_custom_field(field: str) -> bool:
    """An imported column's name after CUSTOM_FIELD; a double quote would end the JSON path
    the store reads it with."""
    name = field.removeprefix(CUSTOM_FIELD)
    return field.startswith(CUSTOM_FIELD) and bool(name) and '"' not in name


def band_number(value: str | None) -> float | None:
    """A number as a band rule reads it: digits, sign, point and exponent only, thousands
    separators ignored (the store's SQL tests the same characters)."""
    if value is None:
        return None
    text = value.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return float(text)
    except ValueError:
        return None


_NUMBER = re.compile(r"[0-9.eE+-]*[0-9][0-9.eE+-]*")


def _check_band(rule: FitRule) -> None:
    ends = [band_number(v) if v != "" else None for v in rule.values]
    if len(rule.values) != 2 or any(e is None and v != "" for e, v in
                                    zip(ends, rule.values, strict=True)) or ends == [None, None]:
        raise BadInput(f"Fit rule '{rule.label}': between takes two values, a low and a high "
                       "number (one may be empty).")
    if None not in ends and ends[0] >= ends[1]:
        raise BadInput(f"Fit rule '{rule.label}': the low end must be below the high end.")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_range(what: str, range_name: str, value: object) -> None:
    problem = RANGES[range_name].problem(value)
    if problem is not None:
        raise BadInput(f"{what} {problem}.")
