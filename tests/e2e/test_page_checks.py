"""The checks of page_checks.py catch what they are meant to catch: each is shown a small page with one
known fault (and a page without faults, which must pass), so that a green test_every_page means
something."""

from __future__ import annotations

from typing import Any

from tests.e2e.page_checks import (
    axe_problems,
    keyboard_problems,
    name_problems,
    page_problems,
    target_size_problems,
)

STYLE = """
  body { font: 18px/1.5 sans-serif; }
  .skip { position: absolute; top: -10rem; display: inline-block; padding: 12px; }
  .skip:focus { top: 0; }
  :focus-visible { outline: 3px solid black; }
  main:focus { outline: none; }
  button, input, select { min-height: 44px; min-width: 44px; }
"""


def _show(page: Any, body: str, *, style: str = STYLE) -> None:
    page.set_content(
        f"""<!doctype html><html lang="en"><head><title>A test page</title><style>{style}</style></head>
        <body><a class="skip" href="#main">Skip to main content</a>
        <main id="main" tabindex="-1"><h1>A test page</h1>{body}</main></body></html>"""
    )


def test_a_page_without_faults_passes_every_check(page: Any, site: str) -> None:
    _show(
        page,
        """<form><label for="name">Name</label><input id="name">
        <label for="born">Born on</label><input id="born" type="date">
        <fieldset><legend>Sex</legend>
          <input type="radio" name="sex" id="f"><label for="f" class="big">Female</label>
          <input type="radio" name="sex" id="m"><label for="m" class="big">Male</label>
        </fieldset>
        <button>Save</button></form>
        <p>Read <a href="#x">the sources</a> first.</p>""",
        style=STYLE + ".big { display: inline-block; min-height: 44px; min-width: 44px; }",
    )
    assert page_problems(page, site) == []


def test_small_targets_are_found_and_links_in_a_sentence_are_not(page: Any) -> None:
    _show(
        page,
        """<button id="tiny" style="min-height: 0; min-width: 0; padding: 0">x</button>
        <p><a href="#a">A link on its own</a></p>
        <p>A sentence with <a href="#b">a link</a> in it.</p>
        <input type="checkbox" id="c" style="min-height: 0; min-width: 0">
        <label for="c">Small label</label>""",
    )
    problems = target_size_problems(page)
    assert len(problems) == 3, problems
    assert any('<button#tiny> "x"' in p for p in problems)
    assert any('"A link on its own"' in p for p in problems)
    assert any("<input#c[type=checkbox]>" in p and "its label" in p for p in problems)


def test_controls_without_a_name_are_found(page: Any, site: str) -> None:
    _show(
        page,
        """<button id="empty"></button><input id="nameless"><div id="widget" tabindex="0"></div>
        <details><summary id="summary"></summary>More</details>
        <label for="named">Named</label><input id="named">""",
    )
    problems = name_problems(page, site)
    assert sorted(p.split(" ")[0] for p in problems) == [
        "<button#empty>",
        "<div#widget>",
        "<input#nameless[type=text]>",
        "<summary#summary>",
    ]


def test_a_keyboard_trap_is_found(page: Any) -> None:
    _show(
        page,
        """<input id="first" aria-label="First"><input id="second" aria-label="Second">
        <button>Never reached</button>
        <script>
          document.getElementById("second").addEventListener("keydown", (event) => {
            if (event.key === "Tab") { event.preventDefault(); document.getElementById("first").focus(); }
          });
        </script>""",
    )
    problems = keyboard_problems(page)
    assert any(p.startswith("keyboard: focus is trapped") for p in problems), problems
    assert any(p.startswith('keyboard: Tab never reached <button> "Never reached"') for p in problems), (
        problems
    )


def test_a_missing_focus_indicator_and_a_jumbled_order_are_found(page: Any) -> None:
    _show(
        page,
        """<button id="plain" style="outline: none">No ring</button>
        <button id="first" tabindex="1">Jumps the queue</button>""",
        style=STYLE + "#plain:focus-visible { outline: none; }",
    )
    problems = keyboard_problems(page)
    assert 'keyboard: no visible focus indicator on <button#plain> "No ring"' in problems, problems
    assert any(p.startswith("keyboard: positive tabindex") for p in problems), problems
    assert any(p.startswith("keyboard: Tab order differs from document order") for p in problems), problems


def test_a_page_without_a_skip_link_is_found(page: Any) -> None:
    page.set_content(
        """<!doctype html><html lang="en"><head><title>No skip link</title></head>
        <body><nav><a href="/a">Somewhere</a></nav><main><h1>No skip link</h1></main></body></html>"""
    )
    assert keyboard_problems(page) == ["skip link: the first Tab stop is not a link within the page"]


def test_axe_findings_are_reported(page: Any, site: str) -> None:
    _show(page, """<img src="/static/img/favicon.svg">""")
    problems = axe_problems(page, site)
    assert any("image-alt" in p for p in problems), problems
