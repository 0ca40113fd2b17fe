"""Import ClinicalTrials.gov API v2 study records: one JSON file (a study, a list, or a page with
`studies`), an NDJSON file (one study per line), or a folder of such files.

Records in the registry's retired formats (the classic API's JSON, `FullStudiesResponse`, and the legacy
XML, `<clinical_study>`) are refused with a message that names the format: their fields are named and
nested differently, and reading them as API v2 would lose the eligibility module.

Streaming and idempotent like the directory importers: the key is the NCT id, a content hash decides
added / updated / unchanged, a trial's locations are replaced with it, and each batch commits on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from smanav.directory.importing.geocoding import Geocoder
from smanav.directory.importing.report import ImportFormatError, ImportReport
from smanav.progress import open_input
from smanav.trials.countries import country_code
from smanav.trials.models import Trial, TrialSite

BATCH_SIZE = 200
RECRUITING = "RECRUITING"
NCT_ID = re.compile(r"^NCT\d{8}$")
SMA_WORDS = ("spinal muscular atroph", "muscular atrophy, spinal")
# "SMA" on its own, or as the name of the disease: "SMA", "SMA type 2", "5q SMA", "SMA (spinal ...)".
SMA_ABBREVIATION = re.compile(r"^(?:5q[- ]?)?sma(?:$|\s*[(,;:]|\s+(?:type\s*)?(?:[0-4]|i{1,3}|iv)\b)")
# Names that contain the words but are other diseases: SMA with respiratory distress (SMARD1, IGHMBP2),
# the superior mesenteric artery ("SMA syndrome"), bulbospinal muscular atrophy (Kennedy disease).
NOT_SMA = re.compile(
    r"respiratory distress|\bsmard|mesenteric|\bsma syndrome|bulbo-?spinal|spinal and bulbar|kennedy"
)
SUFFIXES = (".json", ".ndjson", ".jsonl", ".xml")
CLASSIC_JSON = (
    "the ClinicalTrials.gov classic API JSON format (FullStudiesResponse), which the registry has retired"
)
CLASSIC_XML = "the ClinicalTrials.gov legacy XML format (<clinical_study>), which the registry has retired"
AGAIN = "download the study again from ClinicalTrials.gov as API v2 JSON"


class RetiredFormat(ValueError):
    """A record in one of the registry's retired formats."""


@dataclass
class ParsedTrial:
    values: dict[str, Any]
    sites: list[dict[str, Any]] = field(default_factory=list)


def _is_sma(conditions: list[str], keywords: list[str], meshes: list[str]) -> bool:
    """A study of spinal muscular atrophy: a condition or keyword names it.

    A study that names a look-alike (SMARD1, "SMA syndrome") counts only if it also names SMA in full: its
    bare "SMA" means the look-alike, and the registry files SMARD1 under the SMA MeSH headings too.
    """
    texts = [" ".join(text.casefold().split()) for text in (*conditions, *keywords)]
    lookalike = any(NOT_SMA.search(text) for text in texts)
    for text in texts:
        if NOT_SMA.search(text):
            continue
        if any(word in text for word in SMA_WORDS):
            return True
        if not lookalike and SMA_ABBREVIATION.match(text):
            return True
    if lookalike:
        return False
    return any(any(word in mesh.casefold() for word in SMA_WORDS) for mesh in meshes)


def _date(struct: Any) -> dt.date | None:
    text = struct.get("date") if isinstance(struct, dict) else None
    if not isinstance(text, str):
        return None
    try:
        return dt.date.fromisoformat(text if len(text) == 10 else f"{text[:7]}-01")
    except ValueError:
        return None


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def parse_study(study: Any) -> ParsedTrial:
    """One study record -> our fields; raises ValueError with a reason a person can act on."""
    if not isinstance(study, dict):
        raise ValueError("a study record must be a JSON object")
    if "FullStudiesResponse" in study or "ProtocolSection" in study or "Study" in study:
        raise RetiredFormat(f"this is {CLASSIC_JSON}: {AGAIN}")
    protocol = study.get("protocolSection")
    if not isinstance(protocol, dict):
        raise ValueError("no protocolSection")
    ident = protocol.get("identificationModule") or {}
    nct_id = str(ident.get("nctId") or "")
    if not NCT_ID.match(nct_id):
        raise ValueError(f"nctId {nct_id!r} is not NCT followed by 8 digits")
    status_module = protocol.get("statusModule") or {}
    status = status_module.get("overallStatus")
    if not isinstance(status, str) or not status:
        raise ValueError(f"{nct_id}: no statusModule.overallStatus")
    title = str(ident.get("briefTitle") or ident.get("officialTitle") or "")
    if not title:
        raise ValueError(f"{nct_id}: no briefTitle")
    conditions_module = protocol.get("conditionsModule") or {}
    conditions, keywords = (
        _strings(conditions_module.get("conditions")),
        _strings(conditions_module.get("keywords")),
    )
    meshes = [
        str(item.get("term", ""))
        for item in ((study.get("derivedSection") or {}).get("conditionBrowseModule") or {}).get("meshes")
        or []
        if isinstance(item, dict)
    ]
    design = protocol.get("designModule") or {}
    eligibility = protocol.get("eligibilityModule") or {}
    interventions = [
        str(item.get("name", ""))
        for item in (protocol.get("armsInterventionsModule") or {}).get("interventions") or []
        if isinstance(item, dict)
    ]
    healthy = eligibility.get("healthyVolunteers")
    values: dict[str, Any] = {
        "nct_id": nct_id,
        "brief_title": title[:500],
        "official_title": str(ident.get("officialTitle") or ""),
        "overall_status": status[:40],
        "study_type": str(design.get("studyType") or "")[:40],
        "phases": _strings(design.get("phases")),
        "conditions": conditions,
        "keywords": keywords,
        "interventions": interventions,
        "brief_summary": str((protocol.get("descriptionModule") or {}).get("briefSummary") or ""),
        "sponsor": str(
            ((protocol.get("sponsorCollaboratorsModule") or {}).get("leadSponsor") or {}).get("name") or ""
        )[:300],
        "is_sma": _is_sma(conditions, keywords, meshes),
        "eligibility_criteria": str(eligibility.get("eligibilityCriteria") or ""),
        "minimum_age": str(eligibility.get("minimumAge") or "")[:40],
        "maximum_age": str(eligibility.get("maximumAge") or "")[:40],
        "sex": str(eligibility.get("sex") or "")[:10],
        "healthy_volunteers": healthy if isinstance(healthy, bool) else None,
        "std_ages": _strings(eligibility.get("stdAges")),
        "last_update_posted": _date(status_module.get("lastUpdatePostDateStruct")),
    }
    parsed = ParsedTrial(values)
    locations = (protocol.get("contactsLocationsModule") or {}).get("locations") or []
    for location in locations:
        if not isinstance(location, dict):
            continue
        geo = location.get("geoPoint") or {}
        lat, lon = geo.get("lat"), geo.get("lon")
        country = str(location.get("country") or "")
        parsed.sites.append(
            {
                "facility": str(location.get("facility") or "")[:300],
                "status": str(location.get("status") or "")[:40],
                "city": str(location.get("city") or "")[:120],
                "state": str(location.get("state") or "")[:120],
                "postal_code": str(location.get("zip") or "")[:20],
                "country": country[:100],
                "country_code": country_code(country),
                "latitude": float(lat) if isinstance(lat, int | float) else None,
                "longitude": float(lon) if isinstance(lon, int | float) else None,
            }
        )
    return parsed


def _iter_file(path: Path) -> Iterator[tuple[str, int, Any]]:
    """(file name, line, decoded study or the exception) for every study in one file."""
    with open_input(path, encoding="utf-8-sig") as handle:
        first = handle.read(1)
        while first and first.isspace():
            first = handle.read(1)
        handle.seek(0)
        if first == "<":
            yield path.name, 1, RetiredFormat(f"this is {CLASSIC_XML}: {AGAIN}")
            return
        if path.suffix in (".ndjson", ".jsonl") or (first == "{" and _looks_like_ndjson(path)):
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield path.name, number, json.loads(line)
                    except json.JSONDecodeError as error:
                        yield path.name, number, ValueError(f"not valid JSON ({error.msg})")
            return
        try:
            document = json.load(handle)
        except json.JSONDecodeError as error:
            yield path.name, error.lineno, ValueError(f"not valid JSON ({error.msg})")
            return
    if isinstance(document, dict) and "FullStudiesResponse" in document:
        yield path.name, 1, RetiredFormat(f"this is {CLASSIC_JSON}: {AGAIN}")
        return
    studies = document.get("studies") if isinstance(document, dict) and "studies" in document else document
    if isinstance(studies, list):
        for index, study in enumerate(studies, start=1):
            yield path.name, index, study
    else:
        yield path.name, 1, studies


def _looks_like_ndjson(path: Path) -> bool:
    """A `.json` file holding one JSON document per line (a single-line file is one document)."""
    with path.open("r", encoding="utf-8") as handle:
        first_line = handle.readline()
        second_line = handle.readline()
    try:
        json.loads(first_line)
    except json.JSONDecodeError:
        return False
    return bool(second_line.strip())


def iter_studies(path: Path) -> Iterator[tuple[str, int, Any]]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            raise ImportFormatError(f"no .json, .ndjson, .jsonl or .xml files in {path}")
        for file in files:
            yield from _iter_file(file)
    elif path.is_file():
        # One file in a retired format is refused as a whole, with the format named.
        for name, line, study in _iter_file(path):
            if isinstance(study, RetiredFormat):
                raise ImportFormatError(f"{name}: {study}")
            yield name, line, study
    else:
        raise ImportFormatError(f"{path} does not exist")


def _digest(parsed: ParsedTrial, is_sample: bool) -> str:
    payload = json.dumps([parsed.values, parsed.sites, is_sample], sort_keys=True, default=str)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest()


def _recruiting_since(
    trial: Trial, before: tuple[str, str, dt.datetime | None, dt.datetime | None] | None, now: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The trial's `recruiting_since` and `news_worked_for` after this import: an SMA trial that is new
    and recruiting, or was not recruiting before, is newly recruiting `now`; one that stays recruiting
    keeps its moment; one that stops recruiting has none (if it recruits again, that is news again)."""
    if not trial.is_sma or trial.overall_status != RECRUITING:
        return None, None if before is None else before[3]
    if before is None or before[1] != RECRUITING:
        return now, None if before is None else before[3]
    return before[2], before[3]


class _TrialWriter:
    def __init__(self, report: ImportReport, *, is_sample: bool, source: str) -> None:
        self.report, self.is_sample, self.source = report, is_sample, source
        self.pending: dict[str, tuple[int, ParsedTrial]] = {}
        self.geocoder = Geocoder()

    def add(self, line: int, parsed: ParsedTrial) -> None:
        if parsed.values["nct_id"] in self.pending:
            self.report.updated += 1
        self.pending[parsed.values["nct_id"]] = (line, parsed)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def _place_sites(self, trials: list[ParsedTrial]) -> None:
        """Coordinates for the sites the record gives none, from our postal-code and place tables."""
        sites = [site for parsed in trials for site in parsed.sites]
        needs = [s for s in sites if s["latitude"] is None or s["longitude"] is None]
        if needs:
            self.geocoder.prefetch(
                ((s["country_code"], s["postal_code"]) for s in needs),
                ((s["country_code"], s["city"], s["state"]) for s in needs),
            )
        for site in sites:
            if site["latitude"] is None or site["longitude"] is None:
                point = self.geocoder.postal(
                    site["country_code"], site["postal_code"]
                ) or self.geocoder.place(site["country_code"], site["city"], site["state"])
                site["latitude"], site["longitude"] = point if point else (None, None)
                site["geocoded_by"] = "lookup" if point else ""
            else:
                site["geocoded_by"] = "source"

    def flush(self) -> None:
        pending, self.pending = self.pending, {}
        if not pending:
            return
        with transaction.atomic():
            existing = {
                nct_id: (digest, status, since, worked)
                for nct_id, digest, status, since, worked in Trial.objects.filter(
                    nct_id__in=list(pending)
                ).values_list(
                    "nct_id", "content_hash", "overall_status", "recruiting_since", "news_worked_for"
                )
            }
            now = timezone.now()
            changed: list[tuple[Trial, ParsedTrial]] = []
            for nct_id, (_, parsed) in pending.items():
                digest = _digest(parsed, self.is_sample)
                before = existing.get(nct_id)
                if before is not None and before[0] == digest:
                    self.report.unchanged += 1
                    continue
                if before is not None:
                    self.report.updated += 1
                else:
                    self.report.added += 1
                trial = Trial(
                    content_hash=digest, is_sample=self.is_sample, source=self.source, **parsed.values
                )
                trial.recruiting_since, trial.news_worked_for = _recruiting_since(trial, before, now)
                changed.append((trial, parsed))
            if not changed:
                return
            # Only the trials that changed are geocoded: an unchanged re-import asks the geo tables nothing.
            self._place_sites([parsed for _, parsed in changed])
            fields = [f for f in changed[0][0].__dict__ if f not in ("_state", "id", "nct_id")]
            Trial.objects.bulk_create(
                [trial for trial, _ in changed],
                update_conflicts=True,
                unique_fields=["nct_id"],
                update_fields=fields,
            )
            ids = dict(
                Trial.objects.filter(nct_id__in=[t.nct_id for t, _ in changed]).values_list("nct_id", "id")
            )
            TrialSite.objects.filter(trial_id__in=ids.values()).delete()
            TrialSite.objects.bulk_create(
                [
                    TrialSite(trial_id=ids[trial.nct_id], **site)
                    for trial, parsed in changed
                    for site in parsed.sites
                ]
            )


def _has_nul(value: Any) -> bool:
    """PostgreSQL refuses NUL in text; such a record is rejected on every database alike."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


def import_trials(path: Path, *, is_sample: bool = False, report: ImportReport | None = None) -> ImportReport:
    report = report or ImportReport()
    writer = _TrialWriter(report, is_sample=is_sample, source=path.name)
    several = path.is_dir()
    for file_name, line, study in iter_studies(path):
        where = f"{file_name}: " if several else ""
        if isinstance(study, Exception):
            report.reject(line, f"{where}{study}")
            continue
        try:
            parsed = parse_study(study)
        except ValueError as error:
            report.reject(line, f"{where}{error}")
            continue
        if _has_nul([parsed.values, parsed.sites]):
            report.reject(line, f"{where}{parsed.values['nct_id']}: contains a NUL character")
            continue
        writer.add(line, parsed)
    writer.flush()
    return report
