"""A deterministic, realistic demo database, generated in bulk.

Every lead gets a hidden quality (fit of title, company and email) and intent.
Behaviour follows intent and the funnel follows both, so outcomes relate to fit
and behaviour the way the scoring model expects. Generation is vectorised with
NumPy and rows go in through Store.bulk_load: a million leads, with their
history and activity, in well under a minute and a half on two cores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from workbench.clock import day_start, utcnow
from workbench.demo.catalogue import (
    ASCII_FIRST_NAMES,
    ASCII_LAST_NAMES,
    COMPANY_NOUNS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    COMPETITOR_FIT,
    COMPETITORS,
    COUNTRIES,
    DAY,
    EMPLOYEE_BANDS,
    FIRST_NAMES,
    FREE_MAIL,
    HISTORY_DAYS,
    HOUR,
    INDUSTRIES,
    KINDS,
    LAST_NAMES,
    MANAGERS,
    PAGE_NAMES,
    RECYCLE_REASONS,
    REJECT_REASONS,
    REPS,
    REVENUE_BANDS,
    SOURCES,
    STAGES,
    STUDENT_DOMAIN,
    TEAM_DOMAIN,
    TITLES,
    URL_NAMES,
    S,
)
from workbench.demo.columns import narrow, nullable, parts, pick, sql_dates, sql_times
from workbench.demo.funnel import History, at_customer_accounts, bant_rows, behaviour, run_funnel
from workbench.demo.team import reps_by_territory, route_promoted, routing_rules
from workbench.rules import scoring
from workbench.rules.criteria import CUSTOMER_ACCOUNT, Criteria
from workbench.rules.refusals import BadInput
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import Role, Source
from workbench.store.leads import Store
from workbench.store.score_staging import ScoreWriter
from workbench.store.tables import Activity, Company, Lead, Qualification, StageChange, User


@dataclass(frozen=True)
class DemoResult:
    leads: int
    rows: dict[str, int]


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
    people = {email: user_id for user_id, _name, email, _role in user_rows}
    routing = routing_rules([email for _, email, _ in team[:n_reps]])
    if criteria is not None:  # the team's criteria route its new MQLs, as they have all year
        criteria = store.save_criteria(replace(criteria, routing=routing),
                                       note="The team's routing by region",
                                       at=as_of - timedelta(days=HISTORY_DAYS))

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
    co_country = pick(rng, [c[1] for c in COUNTRIES], n_co)
    co_industry = pick(rng, [i[1] for i in INDUSTRIES], n_co)
    co_size = pick(rng, [b[1] for b in EMPLOYEE_BANDS], n_co)
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
    company = narrow((company + rng.integers(0, n_co, n) * (rng.random(n) < 0.6)) % n_co)
    first = narrow(rng.integers(0, len(FIRST_NAMES), n))
    last = narrow(rng.integers(0, len(LAST_NAMES), n))
    title = pick(rng, [t[2] for t in TITLES], n)
    source = pick(rng, [s[1] for s in SOURCES], n)
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
    del fit

    # -- the funnel ------------------------------------------------------------
    report("stage history")
    history = History()
    territory = co_country[company], co_industry[company], co_size[company]
    stage, at, owner, revisit, mql_at, reached_sql, reject_reason = run_funnel(
        rng, history, n, created, end, quality,
        *reps_by_territory(rng, routing, people, territory))

    # -- behaviour -------------------------------------------------------------
    report("activities")
    activities = _activities(behaviour(rng, n, created, end, intent, mql_at),
                             history.take_touches())
    changes = history.take_changes()
    del intent, quality, surge

    last_activity = np.full(n, 0, dtype=np.int64)
    np.maximum.at(last_activity, activities["lead"], activities["at"])
    first_touch = np.full(n, np.iinfo(np.int64).max)
    touch = activities["user"] > 0
    t_lead, t_at = activities["lead"][touch], activities["at"][touch]
    since_mql = (mql_at[t_lead] > 0) & (t_at >= mql_at[t_lead])
    np.minimum.at(first_touch, t_lead[since_mql], t_at[since_mql])
    del touch, t_lead, t_at, since_mql
    touched = first_touch < np.iinfo(np.int64).max
    last_activity = np.maximum(last_activity, created)
    updated = np.maximum(at, last_activity)

    # -- rows ------------------------------------------------------------------
    stage_names = np.array([s.value for s in STAGES], dtype=object)
    has_phone = rng.random(n) < 0.7
    phone_parts = narrow(rng.integers(200, 990, n)), narrow(rng.integers(0, 10_000, n))
    campaign_pick = narrow(rng.integers(0, 6, n))
    free_choice = narrow(rng.integers(0, len(FREE_MAIL), n))
    free_number = narrow(rng.integers(1, 99, n))

    no_grade = np.full(n, None, dtype=object)
    score_columns = [np.zeros(n, np.int64)] * 3 + [no_grade, no_grade]
    if criteria is not None:
        report("scoring")
        # email domain, as a code into [free mail..., student, company domains...]
        domain_code = np.where(mail_kind < 0.12, free_choice,
                               np.where(mail_kind < 0.14, len(FREE_MAIL),
                                        len(FREE_MAIL) + 1 + company))
        fields = {
            "seniority": (title, [t[1] for t in TITLES]),
            "job_title": (title, [t[0] for t in TITLES]),
            "employee_band": (co_size[company], [b[0] for b in EMPLOYEE_BANDS]),
            "revenue_band": (co_revenue[company], list(REVENUE_BANDS)),
            "industry": (co_industry[company], [i[0] for i in INDUSTRIES]),
            "country": (co_country[company], [c[0] for c in COUNTRIES]),
            "source": (source, [s[0].value for s in SOURCES]),
            "email_domain": (domain_code, [*FREE_MAIL, STUDENT_DOMAIN, *co_domains]),
            "company_domain": (company, co_domains),
            "account_status": (at_customer_accounts(stage, company, n_co),
                               [None, CUSTOMER_ACCOUNT]),
        }
        score_columns = _scores(criteria, fields, activities,
                                (scored_as_of - datetime(1970, 1, 1)).total_seconds())
        del fields, domain_code
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
        free_mail = np.array(FREE_MAIL, dtype=object)
        for part in parts(n):
            local = (ASCII_FIRST_NAMES[first[part]] + ".") + ASCII_LAST_NAMES[last[part]]
            kind = mail_kind[part]
            emails = np.where(
                kind < 0.12,
                local + (free_number[part].astype(str).astype(object) + "@")
                + free_mail[free_choice[part]],
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
                ids, nullable([f"CRM-{i:07d}" for i in ids], ext[part]),
                first_names[first[part]].tolist(), last_names[last[part]].tolist(),
                emails.tolist(), nullable(phones, has_phone[part]),
                title_names[title[part]].tolist(), seniorities[title[part]].tolist(),
                (company[part] + 1).tolist(), source_names[source[part]].tolist(), campaigns,
                nullable(owner[part], owner[part] > 0), stage_names[stage[part]].tolist(),
                *(column[part].tolist() for column in score_columns[:3]),
                sql_times(created[part]), sql_times(updated[part]), sql_times(at[part]),
                nullable(sql_times(mql_at[part]), mql_at[part] > 0),
                nullable(sql_dates(revisit[part]), stage[part] == S[Stage.RECYCLED]),
                nullable(sql_times(np.where(touched[part], first_touch[part], 0)),
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
        for part in parts(len(order)):
            rows = order[part]
            yield list(zip(
                (ch_lead[rows] + 1).tolist(),
                nullable(stage_names[ch_from[rows]], ch_from[rows] >= 0),
                stage_names[ch_to[rows]].tolist(), sql_times(ch_at[rows]),
                nullable(ch_user[rows], ch_user[rows] > 0),
                nullable(reasons[ch_reason[rows]], ch_reason[rows] >= 0),
                strict=True,
            ))

    activity_cols = ("lead_id", "occurred_at", "kind", "url", "page_kind", "user_id")

    def activity_rows():
        kind_names = np.array([k.value for k in KINDS], dtype=object)
        lead, at, user = activities["lead"], activities["at"], activities["user"]
        for part in parts(len(lead)):
            yield list(zip(
                (lead[part] + 1).tolist(), sql_times(at[part]),
                kind_names[activities["kind"][part]].tolist(),
                URL_NAMES[activities["url"][part]].tolist(),
                PAGE_NAMES[activities["page"][part]].tolist(),
                nullable(user[part], user[part] > 0),
                strict=True,
            ))

    qual_cols, qual_rows = bant_rows(rng, stage, reached_sql, reject_reason, at, owner)

    if criteria is not None:
        # Leads at the threshold became MQLs as rescores found them over the last days,
        # most in the last hours, never before they came in: the queue's ages look like a
        # team's instead of every card reading "MQL for 0m".
        ready = np.flatnonzero((stage == S[Stage.LEAD])
                               & (score_columns[2] >= criteria.mql_threshold))
        became_mql = np.maximum(created[ready],
                                end - rng.exponential(16 * HOUR, ready.size).astype(np.int64))
        held = np.bincount(owner[stage == S[Stage.MQL]], minlength=n_reps + 1)
        routes = route_promoted(routing, people, ready, became_mql,
                                tuple(codes[ready] for codes in territory),
                                {email: int(held[user_id]) for email, user_id in people.items()
                                 if user_id <= n_reps})

    def hand_over(writer: ScoreWriter) -> None:
        """What rescores would have done: leads at the threshold became MQLs, and went to
        their reps by the routing rules."""
        writer.date_scores(scored_as_of, criteria.version)
        epoch = datetime(1970, 1, 1)
        writer.promote({lead + 1: epoch + timedelta(seconds=moment) for lead, moment
                        in zip(ready.tolist(), became_mql.tolist(), strict=True)},
                       criteria.mql_threshold)
        writer.route(routes)

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


def _activities(behaviour: dict[str, np.ndarray], touches: list[np.ndarray]
                ) -> dict[str, np.ndarray]:
    """Behaviour and rep touches (no page, no url) as one table in the order they are stored:
    by lead, then time."""
    t_lead, t_at, t_kind, t_user = touches
    no_page = np.zeros(len(t_lead), dtype=np.int8)
    table = {"lead": np.concatenate([behaviour.pop("lead"), t_lead]),
             "at": np.concatenate([behaviour.pop("at"), t_at])}
    order = np.lexsort((table["at"], table["lead"]))
    table = {name: column[order] for name, column in table.items()}
    table["kind"] = np.concatenate([behaviour.pop("kind"), t_kind])[order]
    table["page"] = np.concatenate([behaviour.pop("page"), no_page])[order]
    table["url"] = np.concatenate([behaviour.pop("url"), no_page])[order]
    table["user"] = np.concatenate([np.zeros(len(order) - len(t_lead), np.int32),
                                    t_user])[order]
    return table


def _scores(criteria: Criteria, fields, activities, end) -> list[np.ndarray]:
    """fit, engagement, score, grade and buyer-journey stage of every generated lead,
    scored a chunk of leads at a time (the rules' arrays are leads x rules)."""
    classes = scoring.activity_classes(criteria)
    pages = PAGE_NAMES.tolist()
    # the class of every (kind, page) pair, found once as the store's SQL would, then looked up
    class_of_pair = np.array([scoring.first_match(classes.patterns, kind.value, page)
                              for kind in KINDS for page in pages], dtype=np.int16)
    lead, at = activities["lead"], activities["at"]  # sorted by lead
    activity_class = class_of_pair[activities["kind"].astype(np.int16) * len(pages)
                                   + activities["page"]]
    fit_mask = scoring.fit_mask_of(criteria, fields)
    n = len(fit_mask)
    fit, engagement = np.zeros(n, np.int64), np.zeros(n, np.int64)
    grades, journey = np.empty(n, dtype=object), np.empty(n, dtype=object)
    for part in parts(n):
        first, last = np.searchsorted(lead, [part.start, part.stop])
        scores = scoring.score_facts(criteria, classes, fit_mask[part],
                                     lead[first:last] - part.start,
                                     activity_class[first:last], (end - at[first:last]) / DAY)
        fit[part], engagement[part] = scores.fit, scores.engagement
        grades[part], journey[part] = scoring.grades_and_journey(criteria, scores)
    return [fit, engagement, fit + engagement, grades, journey]


def default_as_of() -> datetime:
    """Demo time runs up to now, to the hour, so the queue and its SLAs look alive."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def parse_as_of(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--as-of wants a date or date and time such as 2026-11-23 or "
                       f"2026-11-23T09:00, not {text!r}.") from None
