"""The HL7 Genomics Reporting guide's SMN1/SMN2 copy-number example imports as the person it describes.

The example is FHIR Shorthand (FSH), read from the real public data files beside the project
(`fhir/SMN1SMN2_CNVexample.fsh`, never copied in). `variant_instances` below is a small parser of that
file, written for it and honest about its limits: it turns each `InstanceOf: Variant` instance into an R4
Observation, taking
* the code the guide's Variant profile fixes (LOINC 69548-6, "Genetic variant assessment"), which the
  instances do not repeat;
* each `component[slice]` with the LOINC code the profile gives that slice (table `SLICE_CODES`, read from
  the guide's profile: gene studied 48018-6, coding change type 48019-4, genomic source class 48002-0,
  copy number 82155-3, genomic reference sequence 48013-7, inner start-end 81302-2);
* the aliases' code systems (`ALIASES`, as the guide's Aliases.fsh defines them);
* every other assignment as written (`status`, `category`, `method`, `subject.display`,
  `effectiveDateTime`, `valueCodeableConcept`, `meta.profile`).
It leaves out `performer = Reference(ExampleOrg)` (the organisation is not part of the file) and the
interpretation instances (TherapeuticImplication, DiagnosticImplication): smanav works out what a
result means from its own cited knowledge base.

The example names its person only as "A Newborn", without a Patient resource or a date of birth. The test
adds the Patient by hand: that name, an identifier of the test's own, and a date of birth taken to be the
day of the screening (2019-04-01) — an assumption of this test, stated here, not a fact of the example;
each Observation's subject gets a reference to it beside the example's display.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.observation import Observation
from tests.web.fhir_schema import resource_problems
from tests.web.real_data import real_data

from smanav.patients.models import Patient
from smanav.patients.seam import evaluate_patient
from smanav.registry.fhir_import import fhir_import_folder
from smanav_core.codes import DiagnosisStatus

ALIASES = {
    "$LNC": "http://loinc.org",
    "$SCT": "http://snomed.info/sct",
    "$UCUM": "http://unitsofmeasure.org",
    "$HGNCID": "http://www.genenames.org",
    "$SEQONT": "http://sequenceontology.org",
    "$OBSCAT": "http://terminology.hl7.org/CodeSystem/observation-category",
    "$DIAGNOSTICSERVICE": "http://terminology.hl7.org/CodeSystem/v2-0074",
    "$NCBIREFSEQ": "http://www.ncbi.nlm.nih.gov/refseq",
}
SLICE_CODES = {
    "gene-studied": "48018-6",
    "coding-change-type": "48019-4",
    "genomic-source-class": "48002-0",
    "copy-number": "82155-3",
    "genomic-ref-seq": "48013-7",
    "inner-start-end": "81302-2",
}
VARIANT_CODE = {"coding": [{"system": "http://loinc.org", "code": "69548-6"}]}
_CODING = re.compile(r'^(\$[A-Z]+)#(\S+)(?:\s+"([^"]*)")?$')
_STEP = re.compile(r"^([A-Za-z]+)(?:\[([A-Za-z-]+)\])?$")


def _value(text: str, key: str) -> Any:
    """An FSH value: `$ALIAS#code "display"` (a coding), `#code` (a code), a quoted string, a number."""
    text = text.strip()
    found = _CODING.match(text)
    if found:
        coding = {"system": ALIASES[found[1]], "code": found[2]}
        if found[3]:
            coding["display"] = found[3]
        if key == "coding":
            return [coding]
        return {"coding": [coding]}
    if text in ALIASES:  # a code system named by its alias
        return ALIASES[text]
    if text.startswith("#"):
        return text[1:].split()[0]
    if text.startswith('"'):
        return text.split('"')[1]
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _assign(resource: dict[str, Any], slices: dict[str, dict[str, Any]], path: str, value: str) -> None:
    steps = path.split(".")
    node: dict[str, Any] = resource
    for index, step in enumerate(steps):
        found = _STEP.match(step)
        assert found, f"the parser does not read the path {path}"
        name, label = found[1], found[2]
        last = index == len(steps) - 1
        if label is not None:  # a slice of a list: one element per slice name
            key = f"{name}[{label}]"
            if key not in slices:
                element: dict[str, Any] = {}
                if name == "component":
                    element["code"] = {"coding": [{"system": "http://loinc.org", "code": SLICE_CODES[label]}]}
                resource.setdefault(name, []).append(element)
                slices[key] = element
            if last:
                slices[key].update(_value(value, name))
            node = slices[key]
            continue
        if last:
            node[name] = [_value(value, name)] if name == "profile" else _value(value, name)
        else:
            node = node.setdefault(name, {})


def variant_instances(fsh: str) -> list[dict[str, Any]]:
    """Each `InstanceOf: Variant` instance of the file as an R4 Observation (see the module's docstring)."""
    found = []
    for block in re.split(r"\n(?=Instance:)", fsh):
        header = dict(re.findall(r"^(Instance|InstanceOf):\s*(\S+)", block, flags=re.MULTILINE))
        if header.get("InstanceOf") != "Variant":
            continue
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": header["Instance"],
            "code": VARIANT_CODE,
        }
        slices: dict[str, dict[str, Any]] = {}
        for line in block.splitlines():
            rule = re.match(r"^\*\s+([^=]+?)\s*=\s*(.+)$", line)
            if not rule or rule[1].startswith("performer"):
                continue
            _assign(resource, slices, rule[1], rule[2])
        found.append(resource)
    return found


@pytest.fixture(name="example")
def example_fixture() -> list[dict[str, Any]]:
    return variant_instances(real_data("fhir", "SMN1SMN2_CNVexample.fsh").read_text(encoding="utf-8"))


def test_the_parser_reads_both_copy_number_results_of_the_example(example: list[dict[str, Any]]) -> None:
    assert [o["id"] for o in example] == ["obs1-interact-smn1-smn2", "obs2-interact-smn1-smn2"]
    for observation, gene, copies in zip(example, ("HGNC:11117", "HGNC:11118"), (0, 2), strict=True):
        by_code = {c["code"]["coding"][0]["code"]: c for c in observation["component"]}
        assert by_code["48018-6"]["valueCodeableConcept"]["coding"][0]["code"] == gene
        assert by_code["82155-3"]["valueQuantity"] == {
            "value": copies,
            "code": "1",
            "system": "http://unitsofmeasure.org",
        }
        assert observation["subject"] == {"display": "A Newborn"}
        assert observation["method"]["coding"][0]["display"] == "PCR"
        # What the parser made is R4 by both validators.
        Observation.model_validate(observation)
        assert resource_problems(observation) == []


@pytest.mark.django_db
def test_the_genomics_reporting_example_imports_as_the_newborn_it_describes(
    example: list[dict[str, Any]], tmp_path: Path
) -> None:
    patient = {
        "resourceType": "Patient",
        "id": "a-newborn",
        "identifier": [{"system": "https://smanav.invalid/tests/genomics-example", "value": "a-newborn"}],
        "name": [{"text": "A Newborn"}],
        "birthDate": "2019-04-01",  # the test's assumption: see the module's docstring
    }
    for observation in example:
        observation["subject"]["reference"] = "Patient/a-newborn"
    folder = tmp_path / "example"
    folder.mkdir()
    (folder / "Patient.ndjson").write_text(json.dumps(patient) + "\n", encoding="utf-8")
    (folder / "Observation.ndjson").write_text(
        "".join(json.dumps(o) + "\n" for o in example), encoding="utf-8"
    )
    manifest = {
        "output": [
            {"type": "Patient", "url": "Patient.ndjson"},
            {"type": "Observation", "url": "Observation.ndjson"},
        ]
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    report = fhir_import_folder(folder=folder, as_of=dt.date(2027, 1, 10))

    assert (report.imported, report.rejected_patients, report.rejected_resources) == (1, [], [])
    [newborn] = Patient.objects.all()
    assert newborn.display_name == "A Newborn"
    assert newborn.birth_date == dt.date(2019, 4, 1)
    assert newborn.genetics == {"smn1_copies": 0, "smn2_copies": 2}
    # PCR is not one of smanav's methods: it is reported, not guessed.
    assert any("the method of the SMN1 test (PCR)" in line for line in report.not_carried)
    # The core reads the imported record as 5q SMA, confirmed from the genetic result (the example names
    # no region; the core's answer needs one, and the diagnosis does not depend on it).
    result = evaluate_patient(newborn, as_of=dt.date(2019, 4, 20), region="US").result
    assert result is not None and result.diagnosis.status is DiagnosisStatus.CONFIRMED_5Q_SMA
    # A second import of the example changes nothing.
    assert fhir_import_folder(folder=folder, as_of=dt.date(2027, 1, 10)).unchanged == 1
    assert Patient.objects.count() == 1
