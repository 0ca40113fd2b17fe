"""The support lines are facts with sources: the data file loads, every region the brief names has a
line, and a line without its source or checked-on date is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from smanav.community.support_lines import SupportLinesError, parse, region_from_languages, support_lines

REGIONS = ["US", "GB", "IE", "CA", "AU", "DE", "FR", "ES", "IT", "NL"]


def test_every_named_region_has_a_sourced_line() -> None:
    lines = support_lines()
    for region in REGIONS:
        line = lines.for_region(region)
        assert line is not None, region
        assert line.source.startswith("https://")
        assert isinstance(line.checked_on, dt.date)
        assert line.call_href.startswith("tel:") and len(line.call_href) > 4
    assert lines.for_region("uk") == lines.for_region("GB")
    assert lines.for_region("ZZ") is None
    assert "emergency number" in lines.fallback


@pytest.mark.parametrize("missing", ["source", "checked_on", "call"])
def test_a_line_without_a_fact_is_refused(missing: str) -> None:
    line = {
        "region": "XX",
        "region_name": "Nowhere",
        "name": "A line",
        "call": "123",
        "hours": "Always",
        "source": "https://example.org/",
        "checked_on": dt.date(2026, 12, 7),
    }
    del line[missing]
    with pytest.raises(SupportLinesError):
        parse({"fallback": {"text": "Call your local emergency number."}, "line": [line]})


@pytest.mark.parametrize(
    ("header", "region"),
    [("en-GB,en;q=0.8", "GB"), ("de", ""), ("fr-CA;q=0.9", "CA"), ("", ""), ("es_ES", "ES")],
)
def test_region_from_languages(header: str, region: str) -> None:
    assert region_from_languages(header) == region
