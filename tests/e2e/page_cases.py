"""What a page case of test_every_page.py is, and the actions that bring a page into a state worth
checking (a result, or a form showing its problems). Kept apart so that each part of the application can
list its own pages in a module of its own (every_page_community.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    id: str  # a case whose id ends in "-problems" must show a form's problems
    persona: str  # anonymous, parent, clinician, coordinator, (second_|unverified_)administrator,
    # unverified, new_staff, reviewer, member, new_member, moderator
    path: str
    shows: str  # text of <main> that proves this is the intended page and state, not a redirect
    act: Callable[[Any], None] | None = None
    status: int = 200


def submit(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=button, exact=True).click()


def fill(page: Any, values: dict[str, str]) -> None:
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)


def submit_empty(button: str) -> Callable[[Any], None]:
    return lambda page: submit(page, button)
