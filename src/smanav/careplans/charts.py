"""Monitoring charts as SVG (matplotlib, drawn on the server; no script in the browser).

Readable without colour: the line is black and every measurement is a marker. When the core's alerts
report a fall of the measure, its latest value is a larger downward triangle labelled "meaningful
decline" (or "fall seen" where no cited threshold exists) and the earlier value it was compared with is a
square labelled "compared with": the same comparison as the alert, never one worked out here. The same
numbers are always shown in a data table next to the chart, and the comparison in words below it.

Weight and height are drawn against the person's age when every measurement has one (the series says
so); everything else, and growth without a date of birth, against the date of measurement.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import matplotlib
import numpy
from django.utils.translation import gettext as _
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from smanav.careplans.falls import FallMark
from smanav.patients.plan import Series

# Keep output stable between runs (no random ids, no creation date), so charts can be compared.
matplotlib.rcParams["svg.hashsalt"] = "smanav"
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["font.family"] = "DejaVu Sans"

# Width and height in inches. On the record page a chart is shown at its own size (720 x 307 px at
# 96 dpi); in the PDF it is printed 108 mm wide beside its table, so it is drawn smaller for print,
# where its text would otherwise shrink to 5 pt.
PAGE_SIZE_IN = (7.5, 3.2)
PRINT_SIZE_IN = (5.0, 2.6)


def chart_svg(
    series: Series,
    *,
    title: str,
    unit: str,
    mark: FallMark | None = None,
    size_in: tuple[float, float] = PAGE_SIZE_IN,
) -> str:
    """An SVG line chart of one instrument over time (by age for growth, otherwise by date). `mark` is the
    fall the core's alerts report for it: the latest value and the value it was compared with."""
    values = [row.value for row in series.rows]
    xs: Any
    if series.by_age:
        xs = numpy.array([row.age for row in series.rows], dtype=float)
    else:
        xs = numpy.array([row.date for row in series.rows], dtype="datetime64[D]")
    # The object API, not pyplot: pyplot keeps global state and is not safe in a threaded server.
    figure = Figure(figsize=size_in, dpi=96)
    axes = figure.subplots()
    axes.plot(xs, values, color="black", linewidth=1.8, marker="o", markersize=5, label=title)
    marked = False
    if mark is not None:
        latest = _row_index(series, mark.latest_on, mark.latest_value)
        compared = _row_index(series, mark.compared_on, mark.compared_value)
        # The word under each marked value, offset in points: the latest value's word sits lower, clear
        # of the value before it (often just below it).
        for index, shape, word, offset in (
            (compared, "s", _("compared with"), (-10, -16)),
            (latest, "v", mark.label, (-8, -28)),
        ):
            if index is None:
                continue
            marked = True
            axes.plot(
                xs[index : index + 1],
                [values[index]],
                linestyle="none",
                marker=shape,
                markersize=12 if shape == "v" else 10,
                markerfacecolor="white",
                markeredgecolor="black",
                markeredgewidth=2,
                label=word,
            )
            axes.annotate(
                word,
                (xs[index], values[index]),
                textcoords="offset points",
                xytext=offset,
                ha="right",
                fontsize=9,
            )
    axes.set_title(title, fontsize=11, loc="left")
    axes.set_ylabel(unit)
    axes.set_xlabel(series.x_axis_label)
    if series.by_age and xs.min() == xs.max():
        # matplotlib widens a lone value by 5% of itself (a newborn's 0.26 months became an axis
        # from 0.25 to 0.28); one month or year either side, in half steps, reads as an age.
        axes.set_xlim(max(0.0, xs.min() - 1), xs.max() + 1)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
    elif series.by_age:
        axes.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    else:
        locator = AutoDateLocator()  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.grid(True, color="#bbbbbb", linewidth=0.6, linestyle=":")
    if marked:
        axes.legend(loc="best", fontsize=8, frameon=True)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _row_index(series: Series, on: dt.date, value: float) -> int | None:
    """The row measured on that day with that value (the latest such row), or None if it was removed."""
    for index in range(len(series.rows) - 1, -1, -1):
        row = series.rows[index]
        if row.date == on and abs(row.value - value) < 1e-9:
            return index
    return None
