"""What a measurement chart marks, read from the core's fall alerts (`motor_decline`, `measure_trend`).

The core decides what was compared with what (the latest value against the best value of a cited window,
or the start of treatment; three falls in a row where no threshold is cited); the pages, the charts and the
PDF only show that comparison, so they can never disagree with the alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smanav_core.codes import AlertCode
from smanav_core.evaluation import Alert, FallAlert

FALL_CODES = frozenset({AlertCode.MOTOR_DECLINE.value, AlertCode.MEASURE_TREND.value})


@dataclass(frozen=True)
class FallMark:
    """The latest value of one measure and the earlier value the core compared it with."""

    meaningful: bool  # a meaningful decline (True) or a fall without a cited threshold (False)
    latest_on: dt.date
    latest_value: float
    compared_on: dt.date
    compared_value: float

    @property
    def label(self) -> str:
        """The word beside the marked latest value."""
        return _("meaningful decline") if self.meaningful else _("fall seen")

    @property
    def caption(self) -> str:
        """The comparison in words, shown with the chart (a chart is never the only place it is said)."""
        words = {
            "latest": f"{self.latest_value:g}",
            "latest_on": date_format(self.latest_on, "DATE_FORMAT"),
            "fall": f"{round(self.compared_value - self.latest_value, 6):g}",
            "compared": f"{self.compared_value:g}",
            "compared_on": date_format(self.compared_on, "DATE_FORMAT"),
        }
        if self.meaningful:
            return (
                _(
                    "Marked on the chart: %(latest)s on %(latest_on)s, %(fall)s below %(compared)s on "
                    "%(compared_on)s, which the alerts call a meaningful decline."
                )
                % words
            )
        return (
            _(
                "Marked on the chart: %(latest)s on %(latest_on)s, the third value in a row to fall since "
                "%(compared)s on %(compared_on)s. No cited threshold says whether this fall matters."
            )
            % words
        )


def fall_marks(alerts: Iterable[Alert]) -> dict[str, FallMark]:
    """Instrument -> what its chart marks, for each fall alert of the core's answer."""
    marks: dict[str, FallMark] = {}
    for alert in alerts:
        if not isinstance(alert, FallAlert):
            continue
        marks[alert.instrument.value] = FallMark(
            meaningful=alert.code is AlertCode.MOTOR_DECLINE,
            latest_on=alert.latest.date,
            latest_value=float(alert.latest.value),
            compared_on=alert.compared_with.date,
            compared_value=float(alert.compared_with.value),
        )
    return marks
