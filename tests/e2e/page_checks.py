"""What every page of smanav must pass, measured in the browser (see docs/accessibility.md).

Each check returns a list of problems in words (empty when the page passes), so a test can report
every problem of a page at once:

* `axe_problems`: the vendored axe-core finds no serious or critical violation.
* `name_problems`: every visible control has an accessible name (axe-core's accname algorithm).
* `target_size_problems`: buttons, fields, selects, summaries and links that stand on their own are at
  least 44 x 44 CSS px; a checkbox or radio button may count its label instead.
* `developer_string_problems`: the text of a family page shows no field path, code, flag, source key or
  Python repr (the page checks of family pages in test_every_page.py).
* `keyboard_problems`: Tab reaches every tab stop once, in document order, shows a focus indicator on
  each, and then leaves the page (no trap); the first stop is a skip link that moves focus to <main>.

The measuring code is in page_checks.js, evaluated through the DevTools protocol (which the pages'
Content-Security-Policy does not govern); axe-core is loaded by URL from the site's own static files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BLOCKING_IMPACTS = {"serious", "critical"}
# WCAG's reflow width: a phone held upright, or a desktop zoomed to 400%.
PHONE_WIDTH_PX = 320
VENDOR = Path(__file__).resolve().parents[2] / "src" / "smanav" / "static" / "vendor"
CHECKS_JS = (Path(__file__).parent / "page_checks.js").read_text(encoding="utf-8")
# Chromium gives a date field a Tab stop for each part (day, month, year) and one for its picker.
EXTRA_STOPS_PER_DATE_FIELD = 3
# Presses allowed after the expected last stop before focus counts as trapped.
SPARE_PRESSES = 10


def axe_url(site: str) -> str:
    [script] = sorted(VENDOR.glob("axe-core-*.min.js"))
    return f"{site}/static/vendor/{script.name}"


def _load_axe(page: Any, site: str) -> None:
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(url=axe_url(site))


def _load_checks(page: Any) -> None:
    if not page.evaluate("() => Boolean(window.smanavChecks)"):
        page.evaluate(CHECKS_JS)


def axe_problems(page: Any, site: str) -> list[str]:
    _load_axe(page, site)
    results = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        f"axe {v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v.get("impact") in BLOCKING_IMPACTS
    ]


def name_problems(page: Any, site: str) -> list[str]:
    _load_axe(page, site)
    _load_checks(page)
    return list(page.evaluate("() => window.smanavChecks.unnamedControls()"))


def target_size_problems(page: Any) -> list[str]:
    _load_checks(page)
    return [
        f"target smaller than 44 x 44: {p}" for p in page.evaluate("() => window.smanavChecks.targetSizes()")
    ]


def _active(page: Any) -> str | None:
    active: str | None = page.evaluate("() => window.smanavChecks.activeElement()")
    return active


def _press_tab_until_focus_leaves_the_page(page: Any, presses: int, spare: int = SPARE_PRESSES) -> None:
    """`presses` Tabs at once, then one at a time (at most `spare`) while the page has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
    while _active(page) is not None and spare:
        page.keyboard.press("Tab")
        spare -= 1


def _tab_walk_problems(page: Any, stops: list[str], date_fields: int) -> list[str]:
    """Press Tab through the page and compare where the focus went with the expected tab stops."""
    _press_tab_until_focus_leaves_the_page(page, len(stops) + EXTRA_STOPS_PER_DATE_FIELD * date_fields + 1)
    problems = []
    if _active(page) is not None:
        problems.append(f"keyboard: focus is trapped, Tab keeps it on the page at {_active(page)}")
    log = page.evaluate("() => window.smanavChecks.focusLog()")
    seen: list[int | str] = []
    for step in log["seen"]:
        if not seen or seen[-1] != step:  # a date field keeps the focus across its parts
            seen.append(step)
    if seen != list(range(len(stops))):
        reached = {step for step in seen if isinstance(step, int)}
        missed = [stops[i] for i in range(len(stops)) if i not in reached]
        if missed:
            problems.append("keyboard: Tab never reached " + ", ".join(missed))
        strays = [step for step in seen if isinstance(step, str)]
        if strays:
            problems.append("keyboard: Tab went to elements that are not tab stops: " + ", ".join(strays))
        order = [stops[step] if isinstance(step, int) else step for step in seen]
        if not missed and not strays:
            problems.append("keyboard: Tab order differs from document order: " + " → ".join(order))
    problems.extend(
        f"keyboard: no visible focus indicator on {what}" for what in dict.fromkeys(log["noRing"])
    )
    return problems


def _skip_link_problems(page: Any) -> list[str]:
    wrong = page.evaluate("() => window.smanavChecks.firstStopIsSkipLink()")
    if wrong:
        return [f"skip link: {wrong}"]
    problems = []
    page.evaluate("() => window.smanavFocus.stops[0].focus()")
    if not page.evaluate("() => window.smanavChecks.focusedOnScreen()"):
        problems.append("skip link: not fully on screen, or smaller than 44 x 44, while focused")
    page.keyboard.press("Enter")
    if not page.evaluate("() => window.smanavChecks.focusIsInMain()"):
        problems.append(f"skip link: Enter left the focus on {_active(page)}, not in the main content")
    elif page.evaluate("() => window.smanavFocus.stops.some((el) => el.closest('main'))"):
        page.keyboard.press("Tab")
        if not page.evaluate("() => window.smanavChecks.focusIsInMain()"):
            problems.append(f"skip link: the next Tab went to {_active(page)}, outside the main content")
    return problems


def keyboard_problems(page: Any) -> list[str]:
    """Walks the whole page from its first stop; leaves the focus in the main content."""
    _load_checks(page)
    autofocused = _active(page)
    if autofocused is not None:
        page.evaluate("() => document.activeElement.blur()")  # so that its unfocused look is measured
    plan = page.evaluate("() => window.smanavChecks.watchFocus()")
    stops, date_fields = plan["stops"], plan["dateInputs"]
    if autofocused is not None:
        # Tab goes on from where the focus was (a log-in form focuses its first field): first to the
        # end of the page, then the walk starts from the top.
        most = len(stops) + EXTRA_STOPS_PER_DATE_FIELD * date_fields
        _press_tab_until_focus_leaves_the_page(page, 1, spare=most)
        page.evaluate("() => window.smanavChecks.forgetFocusLog()")
    problems = [
        f"keyboard: positive tabindex changes the order at {what}" for what in plan["positiveTabindex"]
    ]
    problems += _tab_walk_problems(page, stops, date_fields)
    problems += _skip_link_problems(page)
    return problems


# A page with one wrong pattern (say, every checkbox of a long list) says so without a wall of text.
SHOWN_PER_CHECK = 8


def _at_most(problems: list[str]) -> list[str]:
    if len(problems) <= SHOWN_PER_CHECK:
        return problems
    return [*problems[:SHOWN_PER_CHECK], f"… and {len(problems) - SHOWN_PER_CHECK} more like these"]


def page_problems(page: Any, site: str) -> list[str]:
    """Every check on the page as it is now; keyboard last, because it moves the focus."""
    return [
        *_at_most(axe_problems(page, site)),
        *_at_most(name_problems(page, site)),
        *_at_most(target_size_problems(page)),
        *_at_most(keyboard_problems(page)),
    ]


# What a page for families must never show: the words of developers. Each pattern names what it finds.
_DEVELOPER_PATTERNS = [
    ("a field path", re.compile(r"\b[a-z_]+\[\d+\](\.[a-z_]+)?|\b[a-z]+(_[a-z0-9]+)*\.[a-z]+_[a-z0-9_]+\b")),
    ("an upper-case code", re.compile(r"\b[0-9A-Z]+_[0-9A-Z_]*[A-Z]\b")),
    ("a snake_case code", re.compile(r"\b[a-z]+_[a-z0-9_]+\b")),
    ("a command-line flag", re.compile(r"(?<![\w-])--[a-z][a-z-]+")),
    ("a query parameter", re.compile(r"\?[a-z_]+=")),
    (
        "a Python repr",
        re.compile(r"\{'|'\}|\[\{|<[A-Z]\w+: |object at 0x|datetime\.|: None\b|=None\b|\(got "),
    ),
]


def developer_string_problems(text: str, source_keys: Iterable[str] = ()) -> list[str]:
    """Developer strings in the text a person reads (field paths such as `assessments[3].value`, codes such
    as WEIGHT_KG, `--flags`, knowledge source keys, Python reprs); empty when there are none."""
    problems = []
    for what, pattern in _DEVELOPER_PATTERNS:
        for found in dict.fromkeys(match.group(0) for match in pattern.finditer(text)):
            problems.append(f"developer string ({what}): {found!r}")
    words = set(re.findall(r"[\w-]+", text))
    problems += [f"developer string (a source key): {key!r}" for key in source_keys if key in words]
    return problems
