"""The cohort dashboard page and its charts: for clinic coordinators past the second factor, on the
registry participants; for researchers past the second factor, on the people who agreed to research
use (ADR 0031). Everyone else gets "not found".

The page reads aggregates only (`dashboard`, `survival`), worked out in SQL from the request's cohort
table (`dashboard_cohort`: the nightly refresh's facts of the people whose consent counts now, ADR
0029), suppressed by `small_cells`. It hands out no record, so no record's read is
audited; each view of the page or of a chart is, once, in the account's trail (`dashboard_cohort_for`).
"""

from __future__ import annotations

import datetime as dt
import io

import matplotlib
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.models import User
from smanav.accounts.roles import Role, has_verified_second_factor, role_of
from smanav.audit.models import AccountAction
from smanav.audit.services import audit_account
from smanav.registry import dashboard, survival
from smanav.registry.dashboard_cohort import cohort_table, facts_worked_out_on
from smanav.registry.models import ConsentPurpose
from smanav.registry.small_cells import suppress, threshold
from smanav.vocabulary import INSTRUMENT_LABELS, label

matplotlib.rcParams["svg.hashsalt"] = "smanav"
matplotlib.rcParams["svg.fonttype"] = "none"
MARKERS = ("o", "s", "^", "D", "v", "P")
LINES = ("-", "--", "-.", ":", "-", "--")


# Whose figures each role sees: the consent purpose that selects the cohort. A role not named here sees
# no dashboard.
COHORT_OF_ROLE = {
    Role.COORDINATOR: ConsentPurpose.REGISTRY,
    Role.RESEARCHER: ConsentPurpose.RESEARCH,
}


def dashboard_cohort_for(user: User | AnonymousUser, *, what: str) -> ConsentPurpose:
    """The one access check of the dashboard: the consent purpose of the cohort `user` sees (the
    registry's for coordinators, research use for researchers), both past the second factor; the view
    (`what`: the page or a chart) is written to the account's audit trail. Everyone else: Http404."""
    if not isinstance(user, User):
        raise Http404("No such page.")
    purpose = COHORT_OF_ROLE.get(role_of(user))
    if purpose is None:
        raise Http404("No such page.")
    if not has_verified_second_factor(user):
        raise Http404("No such page.")
    audit_account(
        actor=user,
        subject=user,
        action=AccountAction.DASHBOARD_VIEWED,
        what=f"{what}, {ConsentPurpose(purpose).value} cohort",
    )
    return purpose


def _trajectory_rows(trajectory: dashboard.Trajectory) -> list[dict[str, object]]:
    return [
        {"group": dashboard.group_words(trajectory.by, group), "points": trajectory.points[group]}
        for group in trajectory.groups
    ]


@signed_in
def dashboard_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    purpose = dashboard_cohort_for(request.user, what="page")
    context = dashboard_context(on=timezone.localdate(), limit=threshold(), purpose=purpose)
    return render(request, "registry/dashboard.html", context)


def dashboard_context(
    *, on: dt.date, limit: int, purpose: ConsentPurpose = ConsentPurpose.REGISTRY, live: bool = False
) -> dict[str, object]:
    """Every figure of the page, from one cohort table of the people whose consent to `purpose` counts
    (the benchmark times this and the rendering), with the facts of the last nightly refresh, or
    (`live`) with facts worked out from their records now (the reference the tests compare with)."""
    charts = []
    with cohort_table(on=on, purpose=purpose, live=live) as cohort:
        counts = dashboard.counts(cohort, limit=limit)
        for instrument in dashboard.TRAJECTORY_INSTRUMENTS:
            for trajectory in dashboard.trajectories(cohort, instrument=instrument, limit=limit, live=live):
                by_words = _("by latest treatment") if trajectory.by == "treatment" else _("by SMN2 copies")
                charts.append(
                    {
                        "id": f"{instrument}-{trajectory.by}".lower(),
                        "title": f"{label(INSTRUMENT_LABELS, instrument)}, {by_words}",
                        "instrument": instrument,
                        "by": trajectory.by,
                        "rows": _trajectory_rows(trajectory),
                    }
                )
        completeness = dashboard.completeness(cohort, limit=limit)
        time_to_event = survival.survival(cohort, limit=limit)
    context: dict[str, object] = {
        "research": purpose == ConsentPurpose.RESEARCH,
        "on": on,
        "facts_on": None if live else facts_worked_out_on(),
        "limit": limit,
        "total": suppress({"all": counts.total}, limit=limit).cells[0].shown,
        "tables": counts.tables,
        "completeness": completeness,
        "charts": charts,
        "years": list(range(dashboard.TRAJECTORY_YEARS)),
        "survival_curves": [
            {
                "words": curve.words,
                "rows": list(
                    zip((survival.age_words(m) for m in survival.AGES_MONTHS), curve.points, strict=True)
                ),
            }
            for curve in time_to_event.curves
        ],
        "undated": suppress({"undated": time_to_event.undated}, limit=limit).cells[0].shown,
    }
    return context


@signed_in
def trajectory_chart(request: AuthenticatedHttpRequest, instrument: str, by: str) -> HttpResponse:
    if instrument not in dashboard.TRAJECTORY_INSTRUMENTS or by not in ("treatment", "smn2"):
        dashboard_cohort_for(request.user, what="no chart")  # the same answer to whoever may not look
        raise Http404("No such chart.")
    purpose = dashboard_cohort_for(request.user, what=f"chart {instrument} by {by}")
    svg = trajectory_svg(
        instrument=instrument, by=by, on=timezone.localdate(), limit=threshold(), purpose=purpose
    )
    return HttpResponse(svg, content_type="image/svg+xml")


@signed_in
def survival_chart(request: AuthenticatedHttpRequest) -> HttpResponse:
    purpose = dashboard_cohort_for(request.user, what="time-to-event chart")
    return HttpResponse(
        survival_svg(on=timezone.localdate(), limit=threshold(), purpose=purpose),
        content_type="image/svg+xml",
    )


def _svg(figure: Figure) -> str:
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def survival_svg(*, on: dt.date, limit: int, purpose: ConsentPurpose = ConsentPurpose.REGISTRY) -> str:
    """The time-to-event table as a chart: the shown ages of each group, joined as steps."""
    with cohort_table(on=on, purpose=purpose) as cohort:
        curves = survival.survival(cohort, limit=limit).curves
    figure = Figure(figsize=(7.5, 3.4), dpi=96)
    axes = figure.subplots()
    drawn = 0
    for index, curve in enumerate(curves):
        shown = [point for point in curve.points if point is not None]
        if not shown:
            continue
        axes.plot(
            [0] + [point.age_months / 12 for point in shown],
            [100.0] + [point.free_percent for point in shown],
            color="black",
            drawstyle="steps-post",
            linestyle=LINES[index % len(LINES)],
            marker=MARKERS[index % len(MARKERS)],
            label=curve.words,
        )
        drawn += 1
    axes.set_xlabel(_("Age (years)"))
    axes.set_ylabel(_("Still without either (%)"))
    axes.set_ylim(0, 102)
    axes.grid(True, color="#bbbbbb", linewidth=0.6, linestyle=":")
    if drawn:
        axes.legend(loc="lower left", fontsize=8)
    return _svg(figure)


def trajectory_svg(
    *, instrument: str, by: str, on: dt.date, limit: int, purpose: ConsentPurpose = ConsentPurpose.REGISTRY
) -> str:
    with cohort_table(on=on, purpose=purpose) as cohort:
        found = [t for t in dashboard.trajectories(cohort, instrument=instrument, limit=limit) if t.by == by]
    figure = Figure(figsize=(7.5, 3.4), dpi=96)
    axes = figure.subplots()
    for index, group in enumerate(found[0].groups if found else []):
        points = found[0].points[group]
        xs = [year for year, point in enumerate(points) if point is not None]
        ys = [point[0] for point in points if point is not None]
        axes.plot(
            xs,
            ys,
            color="black",
            linestyle=LINES[index % len(LINES)],
            marker=MARKERS[index % len(MARKERS)],
            label=dashboard.group_words(by, group),
        )
    axes.axhline(0, color="#777777", linewidth=0.8)
    axes.set_xlabel(_("Years since the first measurement"))
    axes.set_ylabel(_("Mean change (points)"))
    axes.set_xticks(range(dashboard.TRAJECTORY_YEARS))
    axes.grid(True, color="#bbbbbb", linewidth=0.6, linestyle=":")
    if found and found[0].groups:
        axes.legend(loc="best", fontsize=8)
    return _svg(figure)
