"""The `smanav` command line.

Core commands (no Django is imported for these; the clinical core works alone):

    smanav evaluate RECORD.json|- [--region US|EU|UK|CA|JP|AU] [--as-of YYYY-MM-DD] [--format json|text]
    smanav triage ANSWERS.json|- [--as-of YYYY-MM-DD] [--format json|text]
    smanav knowledge [--format json|text]          knowledge version, counts, every rule, bibliography
    smanav knowledge docs [--out docs/clinical]     regenerate the clinical documentation
    smanav knowledge check [--as-of YYYY-MM-DD]     entries past their review date, sources read in an
                                                    older revision than the newest known (exit 1 if any)
    smanav schemas [--out schemas]                  regenerate the contract's JSON Schemas

Exit status: 0 on success, 2 on invalid input (nothing on stdout, one problem a line on stderr as
`field.path: what is wrong (got VALUE)`), 1 when the installation itself is broken. Never a traceback
(set `SMANAV_DEBUG=1` to see one for an internal error).

Adding a command from another module
------------------------------------
Commands live in the `COMMANDS` registry. Any Django app can contribute commands by shipping a module
`smanav/<app>/cli.py` that calls `register(...)` or `django_command(...)` at import time; `main()` finds
those modules when the first argument is not a core command (or for `--help`). Such a module must not
import Django at its top level, so that listing commands stays cheap. The usual case is a thin wrapper
around a Django management command, which sets Django up only when the command actually runs:

    # src/smanav/<app>/cli.py
    from smanav.cli import django_command

    django_command("export", help="export registry data", command="registry_export")

`smanav export --since 2026-01-01` then runs the management command `registry_export` with the
arguments `--since 2026-01-01` (argument parsing and `--help` are the management command's own). For
more control, `register(Command(name, help, configure, run))`: `configure` adds argparse options, or
set `passthrough=True` to receive every argument after the name as `args.rest` (as
`smanav/directory/cli.py` and `smanav/trials/cli.py` do).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import os
import pkgutil
import sys
from argparse import SUPPRESS, ArgumentParser, Namespace, RawDescriptionHelpFormatter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_INVALID = 2

FORMATS = ("json", "text")
CORE_COMMANDS = frozenset({"evaluate", "triage", "knowledge", "schemas"})


class UsageProblem(Exception):
    """Input the person gave is unusable; `lines` go to stderr one a line and the exit status is 2."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


@dataclass(frozen=True)
class Command:
    """One subcommand: `configure` adds its arguments, `run` does the work and returns the exit status."""

    name: str
    help: str
    configure: Callable[[ArgumentParser], None]
    run: Callable[[Namespace], int]
    # Hand every argument after the command name to `run` untouched (as `args.rest`).
    passthrough: bool = False


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    """Add a command to the registry; a second command with the same name is a programming error."""
    if command.name in COMMANDS:
        raise ValueError(f"smanav command {command.name!r} is registered twice")
    COMMANDS[command.name] = command
    return command


def django_command(name: str, *, help: str, command: str | None = None) -> Command:
    """Register `smanav NAME ARGS...` as Django's management command `command` (default: NAME) with ARGS.

    Django is configured only when the command runs (settings from `DJANGO_SETTINGS_MODULE`, default
    `smanav.settings`), so the core commands never pay for it.
    """
    target = command or name

    def run(args: Namespace) -> int:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smanav.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line([f"smanav {name}", target, *args.rest])
        return EXIT_OK

    return register(Command(name=name, help=help, configure=lambda parser: None, run=run, passthrough=True))


# --- helpers shared by the core commands -------------------------------------------------------------


def _default_format(stream: IO[str]) -> str:
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def _add_format(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="json or text (default: text on a terminal, json otherwise)",
    )


def _add_as_of(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--as-of", dest="as_of", metavar="YYYY-MM-DD", help="date of the evaluation (default: today)"
    )


def _as_of(value: str | None) -> dt.date:
    if value is None:
        # The one place the clock is read: the core never does.
        return dt.date.today()
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageProblem(
            [f"as_of: must be a real calendar date written YYYY-MM-DD (got {json.dumps(value)})"]
        ) from None


def _read_json(source: str, what: str) -> Any:
    """The JSON document in file `source` (`-` is standard input); `what` names it in problem lines."""
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except FileNotFoundError:
        raise UsageProblem([f"{what}: file not found: {source}"]) from None
    except IsADirectoryError:
        raise UsageProblem([f"{what}: is a directory, not a file: {source}"]) from None
    except OSError as error:
        raise UsageProblem([f"{what}: cannot read {source}: {error.strerror or error}"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageProblem([f"{what}: not valid JSON: the text is not UTF-8"]) from None
    if not text.strip():
        raise UsageProblem([f"{what}: is required: no JSON document was given"])

    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        return json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as error:
        raise UsageProblem(
            [f"{what}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"]
        ) from None
    except ValueError as error:
        raise UsageProblem([f"{what}: not valid JSON: {error}"]) from None


def _emit(result: dict[str, Any], fmt: str | None, render_text: Callable[[dict[str, Any]], str]) -> None:
    chosen = fmt or _default_format(sys.stdout)
    if chosen == "json":
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        text = render_text(result)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _invalid(error: Any) -> UsageProblem:
    """`InvalidInput` from the core -> the contract's stderr lines."""
    return UsageProblem(error.lines())


# --- evaluate ----------------------------------------------------------------------------------------


def _configure_evaluate(parser: ArgumentParser) -> None:
    parser.add_argument(
        "record", metavar="RECORD.json", help="the patient record (JSON), or - for standard input"
    )
    parser.add_argument("--region", help="US, EU, UK, CA, JP or AU (overrides the record's region)")
    _add_as_of(parser)
    _add_format(parser)


def _run_evaluate(args: Namespace) -> int:
    from smanav_core import InvalidInput, evaluate
    from smanav_core.report import render_evaluation_text

    as_of = _as_of(args.as_of)
    record = _read_json(args.record, "record")
    try:
        result = evaluate(record, region=args.region, as_of=as_of)
    except InvalidInput as error:
        raise _invalid(error) from None
    _emit(result, args.format, render_evaluation_text)
    return EXIT_OK


# --- triage ------------------------------------------------------------------------------------------


def _configure_triage(parser: ArgumentParser) -> None:
    parser.add_argument(
        "answers", metavar="ANSWERS.json", help="the triage answers (JSON), or - for standard input"
    )
    _add_as_of(parser)
    _add_format(parser)


def _run_triage(args: Namespace) -> int:
    from smanav_core import InvalidInput, triage
    from smanav_core.report import render_triage_text

    as_of = _as_of(args.as_of)
    answers = _read_json(args.answers, "answers")
    try:
        result = triage(answers, as_of=as_of)
    except InvalidInput as error:
        raise _invalid(error) from None
    _emit(result, args.format, render_triage_text)
    return EXIT_OK


# --- knowledge ---------------------------------------------------------------------------------------


def _configure_knowledge(parser: ArgumentParser) -> None:
    _add_format(parser)
    actions = parser.add_subparsers(dest="knowledge_action", metavar="{docs,check}")
    docs = actions.add_parser(
        "docs", help="write the clinical documentation generated from the knowledge base"
    )
    docs.add_argument("--out", default="docs/clinical", help="folder to write (default: docs/clinical)")
    check = actions.add_parser(
        "check",
        help="list entries past their review date and sources with a newer revision than the one read "
        "(exit status 1 when there are any)",
    )
    check.add_argument(
        "--as-of", dest="as_of", metavar="YYYY-MM-DD", help="date of the check (default: today)"
    )
    _add_format(check)


def _run_knowledge(args: Namespace) -> int:
    from smanav_core import load_knowledge
    from smanav_core.knowledge import docs

    kb = load_knowledge()
    if args.knowledge_action == "docs":
        written = _write_folder(Path(args.out), docs.render_docs(kb), suffix=".md")
        sys.stderr.write(f"wrote {len(written)} pages to {args.out}\n")
        return EXIT_OK
    if args.knowledge_action == "check":
        from smanav_core.knowledge import freshness

        report = freshness.check(kb, as_of=_as_of(args.as_of))
        _emit(
            freshness.report_document(kb, report),
            args.format,
            lambda _found: freshness.render_check(kb, report),
        )
        return EXIT_OK if report.current else EXIT_BROKEN
    _emit(docs.knowledge_summary(kb), args.format, lambda _summary: docs.render_summary_text(kb))
    return EXIT_OK


# --- schemas -----------------------------------------------------------------------------------------


def _configure_schemas(parser: ArgumentParser) -> None:
    parser.add_argument("--out", default="schemas", help="folder to write (default: schemas)")


def _run_schemas(args: Namespace) -> int:
    from smanav_core.schemas import json_schemas, schema_text

    pages = {f"{name}.json": schema_text(schema) for name, schema in json_schemas().items()}
    written = _write_folder(Path(args.out), pages, suffix=None)
    sys.stderr.write(f"wrote {len(written)} schemas to {args.out}\n")
    return EXIT_OK


def _write_folder(folder: Path, pages: dict[str, str], *, suffix: str | None) -> list[Path]:
    """Write generated files; with `suffix`, remove files of that kind the generator no longer makes."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if suffix is not None:
            for stale in folder.glob(f"*{suffix}"):
                if stale.name not in pages:
                    stale.unlink()
        written = []
        for name, text in sorted(pages.items()):
            path = folder / name
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as error:
        raise UsageProblem([f"--out: cannot write to {folder}: {error.strerror or error}"]) from None
    return written


register(Command("evaluate", "evaluate a patient record", _configure_evaluate, _run_evaluate))
register(
    Command(
        "triage",
        "triage an adult or older child with weakness or back problems",
        _configure_triage,
        _run_triage,
    )
)
register(
    Command("knowledge", "show the knowledge base (or: knowledge docs)", _configure_knowledge, _run_knowledge)
)
register(Command("schemas", "write the JSON Schemas of the contract", _configure_schemas, _run_schemas))


# --- discovery and dispatch --------------------------------------------------------------------------


def discover_commands() -> None:
    """Import every `smanav.<app>.cli` module so that it can register its commands."""
    import smanav

    for module in pkgutil.iter_modules(smanav.__path__):
        if not module.ispkg:
            continue
        name = f"smanav.{module.name}.cli"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="smanav",
        description="smanav: care navigation for spinal muscular atrophy (SMA).",
        formatter_class=RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        sub = commands.add_parser(
            command.name, help=command.help, description=command.help, add_help=not command.passthrough
        )
        if command.passthrough:
            # Only for `smanav --help`: `main` hands the arguments over before argparse sees them.
            sub.add_argument("rest", nargs="...", help=SUPPRESS)
        command.configure(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in CORE_COMMANDS:
        discover_commands()
    try:
        chosen = COMMANDS.get(arguments[0]) if arguments else None
        if chosen is not None and chosen.passthrough:
            # Everything after the name, `--help` included, belongs to the wrapped command.
            return chosen.run(Namespace(command=chosen.name, rest=arguments[1:]))
        args = build_parser().parse_args(arguments)
        return COMMANDS[args.command].run(args)
    except UsageProblem as problem:
        sys.stderr.write("".join(line + "\n" for line in problem.lines))
        return EXIT_INVALID
    except BrokenPipeError:
        # `smanav ... | head` closed the pipe: not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:
        if os.environ.get("SMANAV_DEBUG"):
            raise
        from_knowledge = type(error).__name__ == "KnowledgeError"
        what = "the knowledge base is invalid" if from_knowledge else "internal error"
        sys.stderr.write(f"smanav: {what}: {error}\n")
        return EXIT_BROKEN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
