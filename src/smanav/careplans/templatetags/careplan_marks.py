"""Template helpers of the care plan's charts: what a chart marks, in words."""

from __future__ import annotations

from django import template

from smanav.careplans.falls import fall_marks
from smanav_core import Evaluation

register = template.Library()


@register.filter
def fall_caption(instrument: str, evaluation: Evaluation | None) -> str:
    """`{{ s.instrument|fall_caption:evaluation }}`: what the chart of this measure marks, in words (the
    comparison the core's fall alert made), or "" when no fall is reported or there is no evaluation."""
    alerts = evaluation.alerts if isinstance(evaluation, Evaluation) else ()
    mark = fall_marks(alerts).get(instrument)
    return mark.caption if mark is not None else ""
