"""The command line's Django commands: a thin dispatch to `manage.py` (tests the shell, so it lives in a
Django tier; the core's commands are tested in tests/core/test_cli.py without Django)."""

from __future__ import annotations

import pytest

from smanav import cli


def test_django_command_hands_every_argument_to_manage(monkeypatch: pytest.MonkeyPatch) -> None:
    import django.core.management

    calls: list[list[str]] = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", calls.append)
    cli.discover_commands()  # so that other modules register into the real registry, not into this test
    try:
        cli.django_command("probe-command", help="a test command", command="probe_manage")
        assert cli.main(["probe-command", "load", "--help", "--country", "GB"]) == 0
    finally:
        cli.COMMANDS.pop("probe-command", None)
    assert calls == [["smanav probe-command", "probe_manage", "load", "--help", "--country", "GB"]]
