"""The `smanav` command line: the contract's exit codes, stderr lines and output formats.

Most tests call `main()` in-process (fast); a few run the real entry point in a subprocess to check what
only a fresh process can show (Django is never imported, no traceback, stdin).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

import pytest

from smanav import cli
from smanav_core.schemas import json_schemas, schema_text

AS_OF = "2026-11-21"
PROBLEM_LINE = re.compile(r"^[A-Za-z0-9_.\[\]]+: \S.*$")
REPO = Path(__file__).resolve().parents[2]


def base_record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": "cli-test",
        "region": "US",
        "birth_date": "2026-10-01",
        "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "mlpa"},
        "clinical": {"symptomatic": False, "current_motor_function": "non_sitter"},
    }
    record.update(changes)
    return record


def write(tmp_path: Path, document: Any, name: str = "record.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_invalid(status: int, out: str, err: str, *expected: str) -> list[str]:
    """Exit 2, nothing on stdout, every stderr line a `field.path: message` line, each `expected` present."""
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert lines, "stderr must say what is wrong"
    for line in lines:
        assert PROBLEM_LINE.match(line), line
        assert "Traceback" not in line
    for fragment in expected:
        assert any(fragment in line for line in lines), (fragment, lines)
    return lines


# --- evaluate: success --------------------------------------------------------------------------------


def test_evaluate_json_is_the_contract_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "evaluate", write(tmp_path, base_record()), "--as-of", AS_OF, "--format", "json"
    )
    assert status == 0, err
    result = json.loads(out)
    assert result["schema"] == "smanav.evaluation/1"
    assert result["as_of"] == AS_OF
    assert result["region"] == "US"
    assert result["id"] == "cli-test"
    assert [item["therapy"] for item in result["therapies"][:4]] == [
        "nusinersen",
        "risdiplam",
        "onasemnogene_abeparvovec_iv",
        "onasemnogene_abeparvovec_it",
    ]
    assert result["disclaimer"]


def test_evaluate_json_is_the_default_when_stdout_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "evaluate", write(tmp_path, base_record()), "--as-of", AS_OF)
    assert status == 0
    assert json.loads(out)["schema"] == "smanav.evaluation/1"


def test_text_is_the_default_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_default_format", lambda stream: "text")
    status, out, _ = run(capsys, "evaluate", write(tmp_path, base_record()), "--as-of", AS_OF)
    assert status == 0
    assert "What the genetic result means" in out


def test_evaluate_text_has_the_same_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, base_record())
    _, out_json, _ = run(capsys, "evaluate", path, "--as-of", AS_OF, "--format", "json")
    status, out_text, _ = run(capsys, "evaluate", path, "--as-of", AS_OF, "--format", "text")
    assert status == 0
    result = json.loads(out_json)
    flat = " ".join(out_text.split())
    assert " ".join(result["diagnosis"]["summary"].split()) in flat
    assert result["knowledge_version"] in out_text
    assert " ".join(result["disclaimer"].split()) in flat
    for therapy in result["therapies"]:
        for reason in therapy["reasons"]:
            assert " ".join(reason["text"].split()) in flat


def test_region_flag_overrides_the_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, base_record())
    status, out, _ = run(capsys, "evaluate", path, "--region", "JP", "--as-of", AS_OF, "--format", "json")
    assert status == 0
    assert json.loads(out)["region"] == "JP"


def test_region_flag_supplies_a_missing_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = base_record()
    del record["region"]
    status, out, _ = run(capsys, "evaluate", write(tmp_path, record), "--region", "EU", "--as-of", AS_OF)
    assert status == 0
    assert json.loads(out)["region"] == "EU"


def test_evaluate_reads_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(base_record()).encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    status, out, _ = run(capsys, "evaluate", "-", "--as-of", AS_OF, "--format", "json")
    assert status == 0
    assert json.loads(out)["id"] == "cli-test"


def test_a_byte_order_mark_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(base_record()).encode())
    status, _, _ = run(capsys, "evaluate", str(path), "--as-of", AS_OF, "--format", "json")
    assert status == 0


# --- evaluate: every class of invalid input --------------------------------------------------------------

INVALID_RECORDS = [
    pytest.param(base_record(sex="robot"), ["sex: must be one of", '(got "robot")'], id="unknown-enum"),
    pytest.param(
        base_record(genetics={"smn1_copies": 0, "smn2_copies": -1}),
        ["genetics.smn2_copies: must be a whole number from 0 to 8", "(got -1)"],
        id="number-out-of-range",
    ),
    pytest.param(
        base_record(assessments=[{"date": "2026-11-01", "instrument": "HFMSE", "value": 70}]),
        ["assessments[0].value: must be from 0 to 66 for HFMSE (got 70)"],
        id="instrument-value-out-of-range",
    ),
    pytest.param(
        base_record(birth_date="2025-02-30"),
        ['birth_date: must be a real calendar date (YYYY-MM-DD) (got "2025-02-30")'],
        id="non-calendar-date",
    ),
    pytest.param(
        base_record(birth_date="2026-11-22"),
        ['birth_date: must not be after the evaluation date 2026-11-21 (got "2026-11-22")'],
        id="birth-after-as-of",
    ),
    pytest.param(
        base_record(assessments=[{"date": "2026-12-01", "instrument": "CHOP_INTEND", "value": 30}]),
        ["assessments[0].date: must not be after the evaluation date 2026-11-21"],
        id="assessment-after-as-of",
    ),
    pytest.param(
        base_record(treatments=[{"therapy": "nusinersen", "start_date": "2026-12-01", "end_date": None}]),
        ["treatments[0].start_date: must not be after the evaluation date 2026-11-21"],
        id="treatment-after-as-of",
    ),
    pytest.param(
        base_record(
            treatments=[{"therapy": "risdiplam", "start_date": "2026-11-01", "end_date": "2026-10-15"}]
        ),
        ["treatments[0].end_date: must not be before the treatment's start_date"],
        id="treatment-ends-before-it-starts",
    ),
    pytest.param(
        base_record(smn2_copies=2),
        ["smn2_copies: is not a known field (got 2)"],
        id="unknown-top-level-field",
    ),
    pytest.param(
        base_record(genetics={"smn1_copies": "0"}),
        ['genetics.smn1_copies: must be a whole number from 0 to 8, or null (got "0")'],
        id="string-is-not-a-number",
    ),
]


@pytest.mark.parametrize(("record", "expected"), INVALID_RECORDS)
def test_invalid_record_exits_2_with_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record: dict[str, Any], expected: list[str]
) -> None:
    status, out, err = run(capsys, "evaluate", write(tmp_path, record), "--as-of", AS_OF)
    assert_invalid(status, out, err, *expected)


def test_every_problem_is_listed_one_a_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = base_record(sex="robot", birth_date="2026-11-30", colour="blue")
    status, out, err = run(capsys, "evaluate", write(tmp_path, record), "--as-of", AS_OF)
    lines = assert_invalid(status, out, err, "sex:", "colour:")
    assert len(lines) >= 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param('{"birth_date": ', "record: not valid JSON: Expecting value at line 1", id="truncated"),
        pytest.param("{'birth_date': 1}", "record: not valid JSON:", id="single-quotes"),
        pytest.param(
            '{"birth_date": "2026-01-01", "weight_kg": NaN}', "record: not valid JSON: NaN", id="nan"
        ),
        pytest.param("", "record: is required: no JSON document was given", id="empty"),
    ],
)
def test_not_json_is_a_problem_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, fragment: str
) -> None:
    status, out, err = run(capsys, "evaluate", write(tmp_path, text), "--as-of", AS_OF)
    assert_invalid(status, out, err, fragment)


def test_not_utf8_is_a_problem_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"id": "\xe9"}')
    status, out, err = run(capsys, "evaluate", str(path), "--as-of", AS_OF)
    assert_invalid(status, out, err, "record: not valid JSON: the text is not UTF-8")


def test_a_json_array_is_not_a_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "evaluate", write(tmp_path, "[1, 2]"), "--as-of", AS_OF)
    assert_invalid(status, out, err, "record: must be a JSON object")


def test_missing_file_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "evaluate", str(tmp_path / "nope.json"), "--as-of", AS_OF)
    lines = assert_invalid(status, out, err, "record: file not found:")
    assert len(lines) == 1


def test_a_folder_is_not_a_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "evaluate", str(tmp_path), "--as-of", AS_OF)
    assert_invalid(status, out, err, "record: is a directory")


def test_no_region_anywhere_exits_2_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = base_record()
    del record["region"]
    status, out, err = run(capsys, "evaluate", write(tmp_path, record), "--as-of", AS_OF)
    assert_invalid(status, out, err, "region: no region given")


def test_unknown_region_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "evaluate", write(tmp_path, base_record()), "--region", "FR", "--as-of", AS_OF
    )
    assert_invalid(status, out, err, 'region: must be one of US, EU, UK, CA, JP, AU (got "FR")')


@pytest.mark.parametrize("value", ["2026-02-30", "21/11/2026", "2026-1-1", "tomorrow"])
def test_bad_as_of(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    status, out, err = run(capsys, "evaluate", write(tmp_path, base_record()), "--as-of", value)
    assert_invalid(status, out, err, "as_of: must be a real calendar date written YYYY-MM-DD")


def test_bad_format_flag_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["evaluate", write(tmp_path, base_record()), "--format", "xml"])
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--format" in captured.err


def test_as_of_defaults_to_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The record's dates are long past, so today's date (whatever it is) is a valid evaluation date.
    status, out, _ = run(capsys, "evaluate", write(tmp_path, base_record(birth_date="2000-01-01")))
    assert status == 0
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", json.loads(out)["as_of"])


# --- triage -------------------------------------------------------------------------------------------


def test_triage_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = {"age_years": 54, "symptoms": ["low_back_pain", "excess_lumbar_curve"], "onset": "years"}
    path = write(tmp_path, answers, "answers.json")
    status, out, _ = run(capsys, "triage", path, "--as-of", AS_OF, "--format", "json")
    assert status == 0
    result = json.loads(out)
    assert result["schema"] == "smanav.triage/1"
    assert result["disclaimer"]
    status, out, _ = run(capsys, "triage", path, "--as-of", AS_OF, "--format", "text")
    assert status == 0
    assert "What the answers suggest" in out
    assert " ".join(result["disclaimer"].split()) in " ".join(out.split())


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param(
            {"age_years": 130}, "age_years: must be a number of years from 0 to 120 (got 130)", id="range"
        ),
        pytest.param({"age_years": 40, "symptoms": ["hiccups"]}, "symptoms[0]: must be one of", id="enum"),
        pytest.param({"symptoms": []}, "age_years: is required", id="required"),
        pytest.param({"age_years": 40, "mood": "ok"}, "mood: is not a known field", id="unknown-field"),
    ],
)
def test_invalid_triage_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], answers: dict[str, Any], expected: str
) -> None:
    status, out, err = run(capsys, "triage", write(tmp_path, answers, "answers.json"), "--as-of", AS_OF)
    assert_invalid(status, out, err, expected)


def test_triage_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "triage", write(tmp_path, "nope", "answers.json"), "--as-of", AS_OF)
    assert_invalid(status, out, err, "answers: not valid JSON:")


# --- knowledge and schemas -------------------------------------------------------------------------------


def test_knowledge_json_lists_every_rule_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    from smanav_core import load_knowledge

    status, out, _ = run(capsys, "knowledge", "--format", "json")
    assert status == 0
    summary = json.loads(out)
    kb = load_knowledge()
    assert summary["knowledge_version"] == kb.version
    assert {rule["id"] for rule in summary["rules"]} == set(kb.entries)
    assert set(summary["sources"]) == set(kb.sources)
    assert summary["counts"]["entries"] == len(kb.entries)
    for rule in summary["rules"]:
        assert rule["sources"] and rule["evidence"]


def test_knowledge_text(capsys: pytest.CaptureFixture[str]) -> None:
    from smanav_core import load_knowledge

    status, out, _ = run(capsys, "knowledge", "--format", "text")
    assert status == 0
    kb = load_knowledge()
    assert kb.version in out
    for entry_id in kb.entries:
        assert entry_id in out
    for key in kb.sources:
        assert f"[{key}]" in out


def test_knowledge_docs_writes_the_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from smanav_core import load_knowledge
    from smanav_core.knowledge.docs import render_docs

    out_dir = tmp_path / "clinical"
    out_dir.mkdir()
    (out_dir / "retired-page.md").write_text("old", encoding="utf-8")
    status, out, err = run(capsys, "knowledge", "docs", "--out", str(out_dir))
    assert status == 0
    assert out == ""
    assert "wrote" in err
    expected = render_docs(load_knowledge())
    assert sorted(path.name for path in out_dir.iterdir()) == sorted(expected)
    for name, text in expected.items():
        assert (out_dir / name).read_text(encoding="utf-8") == text


def test_schemas_writes_the_four_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(capsys, "schemas", "--out", str(tmp_path))
    assert status == 0
    schemas = json_schemas()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"{name}.json" for name in schemas)
    for name, schema in schemas.items():
        assert (tmp_path / f"{name}.json").read_text(encoding="utf-8") == schema_text(schema)


def test_unwritable_out_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    status, out, err = run(capsys, "schemas", "--out", str(blocker / "sub"))
    assert status == 2
    assert out == ""
    assert err.startswith("--out: cannot write to")


# --- command registry ------------------------------------------------------------------------------------


def test_registered_command_runs_and_receives_its_arguments(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Namespace] = []

    def configure(parser: Any) -> None:
        parser.add_argument("--name")

    def run_it(args: Namespace) -> int:
        seen.append(args)
        return 0

    cli.discover_commands()
    monkeypatch.setitem(cli.COMMANDS, "hello", cli.Command("hello", "say hello", configure, run_it))
    assert cli.main(["hello", "--name", "world"]) == 0
    assert seen[0].name == "world"


def test_commands_of_django_apps_are_discovered() -> None:
    """Every `smanav/<app>/cli.py` is imported and can register commands; none of them imports Django."""
    script = (
        "import sys\n"
        "from smanav import cli\n"
        "cli.discover_commands()\n"
        "print(' '.join(sorted(cli.COMMANDS)))\n"
        "print(any(name == 'django' or name.startswith('django.') for name in sys.modules))\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=True,
    )
    names, django_loaded = finished.stdout.splitlines()
    assert set(names.split()) >= cli.CORE_COMMANDS
    assert django_loaded == "False"


def test_a_command_name_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        cli.register(cli.Command("evaluate", "again", lambda parser: None, lambda args: 0))


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["frobnicate"])
    assert stopped.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_internal_error_is_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import smanav_core

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(smanav_core, "evaluate", broken)
    monkeypatch.delenv("SMANAV_DEBUG", raising=False)
    status, out, err = run(capsys, "evaluate", write(tmp_path, base_record()), "--as-of", AS_OF)
    assert status == 1
    assert out == ""
    assert err == "smanav: internal error: boom\n"


# --- a fresh process ------------------------------------------------------------------------------------

_NO_DJANGO = """
import sys
from smanav.cli import main
status = main(sys.argv[1:])
loaded = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
print("DJANGO:" + ",".join(loaded), file=sys.stderr)
sys.exit(status)
"""


def _fresh(*argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", _NO_DJANGO, *argv],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "-", "--as-of", AS_OF, "--format", "json"],
        ["triage", "-", "--as-of", AS_OF, "--format", "text"],
        ["knowledge", "--format", "json"],
    ],
)
def test_core_commands_never_import_django(argv: list[str]) -> None:
    document = base_record() if argv[0] == "evaluate" else {"age_years": 40}
    finished = _fresh(*argv, stdin=json.dumps(document).encode())
    assert finished.returncode == 0, finished.stderr.decode()
    assert finished.stderr.decode().strip().endswith("DJANGO:"), finished.stderr.decode()


def test_invalid_input_in_a_fresh_process_has_no_traceback() -> None:
    finished = _fresh("evaluate", "-", "--as-of", AS_OF, stdin=b'{"birth_date": "2026-02-30", "oops": 1}')
    assert finished.returncode == 2
    assert finished.stdout == b""
    err = finished.stderr.decode()
    assert "Traceback" not in err
    assert 'birth_date: must be a real calendar date (YYYY-MM-DD) (got "2026-02-30")' in err
    assert "oops: is not a known field (got 1)" in err
