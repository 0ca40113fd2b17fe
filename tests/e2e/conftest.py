"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

No browser is ever downloaded (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1); without /usr/bin/chromium the tests
skip on a laptop and fail under CI. Fixtures:

* `assert_accessible(page)`: runs the vendored axe-core on the current page and fails on serious or
  critical violations (axe is injected by URL, because the CSP forbids inline scripts). The other
  checks every page passes (names, target sizes, keyboard) are in page_checks.py, used by
  test_every_page.py.
* `screenshot(page, name)`: a full-page screenshot in test-artifacts/screenshots/NAME.png.
* every test fails if the page logs a Content-Security-Policy violation or a JavaScript error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import get_resolver
from tests.e2e.page_checks import axe_problems

# Sync Playwright runs an event loop in the test's thread; Django's ORM would refuse to run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("SMANAV_CHROMIUM", "/usr/bin/chromium"))
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], require_or_skip: Callable[[str], None]
) -> dict[str, Any]:
    if not CHROMIUM.exists():
        require_or_skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.fixture
def site(live_server: Any) -> str:
    """The live server's base URL, without a trailing slash.

    The URLconf (and with it every app's views, the charts' and the PDF's libraries) is imported here,
    outside the browser's timeout: on a busy machine the first request, importing it, could take longer
    than the 30 seconds a page is given to load.
    """
    get_resolver().url_patterns  # noqa: B018 (imported for its side effect)
    return str(live_server.url).rstrip("/")


@pytest.fixture(autouse=True)
def _no_console_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    problems: list[str] = []

    def on_console(message: Any) -> None:
        # A form with problems is answered 422 on purpose; Chromium logs every 4xx document as an error.
        if message.type == "error" and "status of 422" not in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield
    assert not problems, "the browser reported errors (CSP violations or scripts):\n" + "\n".join(problems)


@pytest.fixture
def assert_accessible(site: str) -> Callable[[Any], None]:
    def check(page: Any) -> None:
        problems = axe_problems(page, site)
        assert not problems, f"accessibility violations on {page.url}:\n" + "\n".join(problems)

    return check


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    def take(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
