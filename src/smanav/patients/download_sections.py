"""What apps above the records add to a record's "Download my data" (`careplans.data_export`).

The features of one layer do not import each other, so the registry cannot hand its consents to the
care-plan app's download directly: it registers a section here when it starts (`registry.apps`), and the
download asks every registered section for the record. A section answers plain JSON values only.
"""

from __future__ import annotations

from collections.abc import Callable

from smanav.patients.models import Patient

Section = Callable[[Patient], object]
_SECTIONS: dict[str, Section] = {}


def download_section_register(name: str, build: Section) -> None:
    """Add `name` to every record's download, worked out by `build(patient)`. The same name twice
    replaces the first (a test's settings may start apps again)."""
    _SECTIONS[name] = build


def download_sections(patient: Patient) -> dict[str, object]:
    """Every registered section of the record, by name, in the order they were registered."""
    return {name: build(patient) for name, build in _SECTIONS.items()}
