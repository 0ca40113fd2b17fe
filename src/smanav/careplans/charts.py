"""Monitoring charts as SVG (matplotlib, drawn on the server; no script in the browser).

Readable without colour: the line is black, every measurement is a marker, and a measurement the core
flagged as a clinically meaningful decline is a larger downward triangle with a text label. The same
numbers are always shown in a data table next to the chart.

Weight and height are drawn against the person's age when every measurement has one (the series says
so); everything else, and growth without a date of birth, against the date of measurement.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy
from django.utils.translation import gettext as _
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

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
    flagged: Sequence[dt.date] = (),
    note: str = "",
    size_in: tuple[float, float] = PAGE_SIZE_IN,
) -> str:
    """An SVG line chart of one instrument over time (by age for growth, otherwise by date). `flagged`
    are the dates of values the core's alerts call a meaningful decline; `note` explains the marking
    in words (from the alert)."""
    values = [row.value for row in series.rows]
    wanted = set(flagged)
    marked_rows = [index for index, row in enumerate(series.rows) if row.date in wanted]
    xs: Any
    if series.by_age:
        xs = numpy.array([row.age for row in series.rows], dtype=float)
    else:
        xs = numpy.array([row.date for row in series.rows], dtype="datetime64[D]")
    # The object API, not pyplot: pyplot keeps global state and is not safe in a threaded server.
    figure = Figure(figsize=size_in, dpi=96)
    axes = figure.subplots()
    axes.plot(xs, values, color="black", linewidth=1.8, marker="o", markersize=5, label=title)
    marked = [(xs[index], values[index]) for index in marked_rows]
    if marked:
        axes.plot(
            xs[marked_rows],
            [values[index] for index in marked_rows],
            linestyle="none",
            marker="v",
            markersize=12,
            markerfacecolor="white",
            markeredgecolor="black",
            markeredgewidth=2,
            label=note or _("meaningful decline"),
        )
        for when, value in marked:
            axes.annotate(
                _("decline"),
                (when, value),
                textcoords="offset points",
                xytext=(-10, -16),
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
