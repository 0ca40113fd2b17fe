"""Shared output of the import commands: a summary line, then each rejection as `line N: reason`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import OutputWrapper

from smanav.directory.importing.report import ImportReport


def print_report(report: ImportReport, stdout: OutputWrapper, stderr: OutputWrapper, *, fmt: str) -> None:
    if fmt == "json":
        stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    stdout.write(report.summary())
    for item in report.rejections:
        stderr.write(f"line {item.line}: {item.reason}")
    if report.rejected > len(report.rejections):
        stderr.write(f"... and {report.rejected - len(report.rejections)} more rejected rows")


def add_format(parser: Any) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")
