"""`manage.py demo_load`: a demo clinic, its staff, a family with two children and an adult patient.

Idempotent: if the demo clinic exists, nothing is created again and the logins are printed. The
histories are fictional but shaped like real follow-up; dates are relative to today so that the newborn
is always a newborn.
"""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from smanav.accounts.grants import researcher_add, researcher_confirm_demo, staff_add, staff_confirm_demo
from smanav.accounts.models import Clinic, StaffRole
from smanav.accounts.services import clinic_create, totp_device_create, user_create
from smanav.patients.models import GuardianRelation
from smanav.patients.services import (
    assessment_record,
    clinic_share_invite,
    dose_record,
    lab_tests_record,
    patient_create,
    treatment_record,
)
from smanav_core.codes import Instrument, MonitoringTest, Regimen, TreatmentTherapy

CLINIC_SLUG = "demo"
PASSWORD = "sma-demo-2026!"
# A fixed TOTP key so that the demo's two-factor codes can be produced by any authenticator app.
TOTP_KEY_HEX = "736d616e61762d64656d6f2d746f74702d6b6579"


def totp_secret_base32() -> str:
    return b32encode(bytes.fromhex(TOTP_KEY_HEX)).decode()


def _years_ago(today: dt.date, years: float) -> dt.date:
    return today - dt.timedelta(days=round(years * 365.25))


class Command(BaseCommand):
    help = "Load the demo clinic, staff, family and patients (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # Known passwords and a published TOTP key: never on a real installation.
            raise CommandError("demo data is loaded only in debug (SMANAV_DEBUG=1, as `make run` sets)")
        today = timezone.localdate()
        if Clinic.objects.filter(slug=CLINIC_SLUG).exists():
            self.stdout.write("Demo data already loaded.")
        else:
            self._load(today)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_logins()

    @transaction.atomic
    def _load(self, today: dt.date) -> None:
        clinic = clinic_create(name="Demo Neuromuscular Centre", slug=CLINIC_SLUG, region="US")
        users = get_user_model().objects
        staff = []
        for username, role in (("clinician", StaffRole.CLINICIAN), ("coordinator", StaffRole.COORDINATOR)):
            user = users.filter(username=username).first() or user_create(
                username=username, email=f"{username}@demo.invalid", password=PASSWORD
            )
            # Demo staff are confirmed by this command, which only runs in debug (a real clinic's staff
            # are asked for by one administrator and confirmed by another, grants.py).
            staff_confirm_demo(membership=staff_add(requested_by=None, user=user, clinic=clinic, role=role))
            totp_device_create(user=user, confirmed=True, key=TOTP_KEY_HEX)
            staff.append(user)
        # A researcher (no clinic): the research cohort's dashboard only, past the same second factor.
        researcher = users.filter(username="researcher").first() or user_create(
            username="researcher", email="researcher@demo.invalid", password=PASSWORD
        )
        researcher_confirm_demo(grant=researcher_add(requested_by=None, user=researcher))
        totp_device_create(user=researcher, confirmed=True, key=TOTP_KEY_HEX)
        parent = users.filter(username="parent").first() or user_create(
            username="parent", email="parent@demo.invalid", password=PASSWORD
        )
        adult = users.filter(username="adult").first() or user_create(
            username="adult", email="adult@demo.invalid", password=PASSWORD
        )
        clinician = staff[0]
        self._newborn(parent, clinician, clinic, today)
        self._type2_child(parent, clinician, clinic, today)
        self._type3_adult(adult, clinician, clinic, today)

    def _measure(
        self, author: Any, patient_id: int, today: dt.date, rows: list[tuple[dt.date, str, float]]
    ) -> None:
        for date, instrument, value in rows:
            assessment_record(
                author=author,
                patient_id=patient_id,
                date=date,
                instrument=Instrument(instrument),
                value=value,
                as_of=today,
            )

    def _newborn(self, parent: Any, clinician: Any, clinic: Clinic, today: dt.date) -> None:
        """Presymptomatic newborn found by screening: no SMN1, 2 SMN2 copies, treated from day 12."""
        born = today - dt.timedelta(days=24)
        patient = patient_create(
            author=parent,
            display_name="Mia (newborn)",
            document={
                "birth_date": born.isoformat(),
                "region": "US",
                "sex": "female",
                "gestational_age_weeks": 39,
                # Screen-positive, then confirmed by a diagnostic copy-number test.
                "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "mlpa"},
                "clinical": {
                    "symptomatic": False,
                    "max_motor_milestone": "none",
                    "feeding": "oral",
                    "ventilation": "none",
                },
            },
            as_of=today,
        )
        clinic_share_invite(author=parent, patient_id=patient.pk, clinic=clinic)
        treatment_record(
            author=clinician,
            patient_id=patient.pk,
            therapy=TreatmentTherapy.RISDIPLAM,
            start_date=(born + dt.timedelta(days=12)),
            end_date=None,
            as_of=today,
        )
        self._measure(
            clinician,
            patient.pk,
            today,
            [
                (born + dt.timedelta(days=8), "CHOP_INTEND", 38),
                (born + dt.timedelta(days=8), "WEIGHT_KG", 3.3),
                (born + dt.timedelta(days=8), "HEIGHT_CM", 51),
                (born + dt.timedelta(days=22), "CHOP_INTEND", 43),
                (born + dt.timedelta(days=22), "WEIGHT_KG", 3.8),
            ],
        )

    def _type2_child(self, parent: Any, clinician: Any, clinic: Clinic, today: dt.date) -> None:
        """Type 2, a sitter on nusinersen for years: HFMSE fell from 24 to 20, and a re-test two weeks
        later (21) does not hide the fall; FVC has fallen a little at every visit (a trend notice)."""
        born = _years_ago(today, 7.2)
        patient = patient_create(
            author=parent,
            display_name="Leo",
            document={
                "birth_date": born.isoformat(),
                "region": "US",
                "sex": "male",
                "weight_kg": 21.5,
                "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
                "clinical": {
                    "symptomatic": True,
                    "symptom_onset_age_months": 9,
                    "max_motor_milestone": "sits_independently",
                    "current_motor_function": "sitter",
                    "ventilation": "niv_sleep_only",
                    "feeding": "oral",
                    "scoliosis_cobb_deg": 24,
                },
            },
            as_of=today,
        )
        clinic_share_invite(author=parent, patient_id=patient.pk, clinic=clinic)
        course = treatment_record(
            author=clinician,
            patient_id=patient.pk,
            therapy=TreatmentTherapy.NUSINERSEN,
            start_date=(born + dt.timedelta(days=400)),
            end_date=None,
            regimen=Regimen.NUSINERSEN_12MG,
            as_of=today,
        )
        assert course is not None
        # The last three maintenance doses, each with its blood and urine tests the day before; the next
        # dose falls due in about three weeks (due soon, not overdue).
        for days_ago in (340, 218, 96):
            given = today - dt.timedelta(days=days_ago)
            lab_tests_record(
                author=clinician,
                patient_id=patient.pk,
                date=given - dt.timedelta(days=1),
                tests=[
                    MonitoringTest.PLATELET_COUNT,
                    MonitoringTest.COAGULATION,
                    MonitoringTest.URINE_PROTEIN,
                ],
                as_of=today,
            )
            dose_record(
                author=clinician,
                patient_id=patient.pk,
                treatment_id=course.pk,
                date=given,
                amount_mg=12,
                given_by="Demo Neuromuscular Centre",
                as_of=today,
            )
        hfmse = [14, 17, 19, 21, 22, 23, 23, 24, 24, 20]
        rulm = [12, 14, 15, 17, 18, 19, 19, 20, 20, 19]
        fvc = [None, None, None, 84, 82, 80, 79, 77, 75, 72]
        cobb = [None, None, None, None, 8, 10, 13, 16, 20, 24]
        weight = [9.8, 11.0, 12.2, 13.5, 14.8, 16.0, 17.4, 18.9, 20.3, 21.5]
        height = [76, 84, 91, 97, 102, 107, 111, 115, 119, 122]
        rows: list[tuple[dt.date, str, Any]] = []
        visits = len(hfmse)
        for index in range(visits):
            # Visits every ~6 months, the latest 3 weeks ago.
            when = today - dt.timedelta(days=21 + (visits - 1 - index) * 182)
            rows += [
                (when, "HFMSE", hfmse[index]),
                (when, "RULM", rulm[index]),
                (when, "WEIGHT_KG", weight[index]),
                (when, "HEIGHT_CM", height[index]),
            ]
            if fvc[index] is not None:
                rows.append((when, "FVC_PERCENT_PREDICTED", fvc[index]))
            if cobb[index] is not None:
                rows.append((when, "COBB_DEG", cobb[index]))
        # The clinician re-tested the HFMSE two weeks after the visit that found 20.
        rows.append((today - dt.timedelta(days=7), "HFMSE", 21))
        self._measure(clinician, patient.pk, today, rows)

    def _type3_adult(self, adult: Any, clinician: Any, clinic: Clinic, today: dt.date) -> None:
        """Adult with type 3 who still walks, on risdiplam, stable over five years."""
        born = _years_ago(today, 32.4)
        patient = patient_create(
            author=adult,
            display_name="Sam",
            relation=GuardianRelation.SELF,
            document={
                "birth_date": born.isoformat(),
                "region": "US",
                "sex": "female",
                "weight_kg": 58,
                "pregnant": False,
                "genetics": {"smn1_copies": 0, "smn2_copies": 4, "method": "mlpa"},
                "clinical": {
                    "symptomatic": True,
                    "symptom_onset_age_months": 30,
                    "max_motor_milestone": "walks_independently",
                    "current_motor_function": "walker",
                    "ventilation": "none",
                    "feeding": "oral",
                },
            },
            as_of=today,
        )
        clinic_share_invite(author=adult, patient_id=patient.pk, clinic=clinic)
        treatment_record(
            author=clinician,
            patient_id=patient.pk,
            therapy=TreatmentTherapy.RISDIPLAM,
            start_date=_years_ago(today, 5.1),
            end_date=None,
            as_of=today,
        )
        hfmse = [52, 52, 53, 53, 52, 53]
        rulm = [34, 34, 35, 35, 35, 35]
        walk = [402, 395, 410, 405, 398, 404]
        fvc = [92, 91, 93, 90, 91, 90]
        rows: list[tuple[dt.date, str, Any]] = []
        for index in range(len(hfmse)):
            when = today - dt.timedelta(days=60 + (len(hfmse) - 1 - index) * 365)
            rows += [
                (when, "HFMSE", hfmse[index]),
                (when, "RULM", rulm[index]),
                (when, "6MWT_M", walk[index]),
                (when, "FVC_PERCENT_PREDICTED", fvc[index]),
                (when, "WEIGHT_KG", 57 + index * 0.2),
            ]
        self._measure(adult, patient.pk, today, rows)

    def _print_logins(self) -> None:
        secret = totp_secret_base32()
        lines = [
            "",
            f"Demo logins (password for every account: {PASSWORD})",
            "  parent       a parent with two children (Mia, a newborn; Leo, type 2)",
            "  adult        an adult with type 3 SMA who keeps her own record (Sam)",
            "  clinician    clinician of the Demo Neuromuscular Centre (two-factor)",
            "  coordinator  coordinator of the Demo Neuromuscular Centre (two-factor)",
            "  researcher   researcher: the research cohort's dashboard only (two-factor)",
            f"Two-factor key of the staff and researcher accounts (add it to an authenticator app): {secret}",
            "Or print the current code with: SMANAV_DEBUG=1 .venv/bin/python manage.py demo_totp",
            "",
        ]
        self.stdout.write("\n".join(lines))
