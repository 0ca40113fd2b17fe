"""Rules of the test suite itself: a test that asserts nothing cannot fail, so every test asserts."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# Calls that assert on the test's behalf: pytest's, and the suite's own helpers named for it.
CHECKING_CALLS = ("raises", "fail", "warns")
CHECKING_PREFIXES = ("assert", "expect", "check")


def _asserts(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            if name in CHECKING_CALLS or name.startswith(CHECKING_PREFIXES):
                return True
    return False


def silent_tests(source: str) -> list[str]:
    return [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and not _asserts(node)
    ]


def test_every_test_asserts_something() -> None:
    silent = {
        f"{path.relative_to(TESTS)}::{name}"
        for path in sorted(TESTS.rglob("test_*.py"))
        for name in silent_tests(path.read_text(encoding="utf-8"))
    }
    assert silent == set()


def test_a_test_that_asserts_nothing_is_found() -> None:
    source = "def test_quiet():\n    run()\n\ndef test_loud():\n    assert run()\n"
    assert silent_tests(source) == ["test_quiet"]
