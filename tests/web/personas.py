"""Named people for the web tests: a parent with two children, an adult who keeps their own record, a
clinician and a coordinator of one clinic, an outsider (a family account with nothing shared), a
clinician of another clinic, and an administrator. Everything is made through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from smanav.accounts.models import Clinic, StaffRole
from smanav.accounts.services import clinic_create, staff_add, totp_device_create, user_create
from smanav.patients.models import GuardianRelation, Patient
from smanav.patients.services import assessment_record, clinic_share_invite, patient_create

AS_OF = dt.date(2026, 11, 21)
PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, hex


@dataclass
class Personas:
    clinic: Clinic
    other_clinic: Clinic
    parent: Any
    adult: Any
    clinician: Any
    coordinator: Any
    outsider: Any
    other_clinician: Any
    administrator: Any
    shared_child: Patient  # the parent's child, shared with `clinic`
    private_child: Patient  # the parent's other child, shared with nobody
    adult_record: Patient  # the adult's own record, shared with `other_clinic`

    def by_role(self, role: str) -> Any:
        return getattr(self, role)


def make_staff(username: str, clinic: Clinic, role: StaffRole) -> Any:
    user = user_create(username=username, email=f"{username}@example.org", password=PASSWORD)
    staff_add(user=user, clinic=clinic, role=role)
    totp_device_create(user=user, confirmed=True, key=TOTP_KEY)
    return user


def make_personas() -> Personas:
    clinic = clinic_create(name="Northside Neuromuscular Clinic", slug="northside", region="US")
    other_clinic = clinic_create(name="Southside Clinic", slug="southside", region="US")
    parent = user_create(username="parent", email="parent@example.org", password=PASSWORD)
    adult = user_create(username="adult", email="adult@example.org", password=PASSWORD)
    outsider = user_create(username="outsider", email="outsider@example.org", password=PASSWORD)
    administrator = user_create(username="admin", email="admin@example.org", password=PASSWORD)
    administrator.is_superuser = True
    administrator.is_staff = True
    administrator.save()
    clinician = make_staff("clinician", clinic, StaffRole.CLINICIAN)
    coordinator = make_staff("coordinator", clinic, StaffRole.COORDINATOR)
    other_clinician = make_staff("other_clinician", other_clinic, StaffRole.CLINICIAN)
    shared_child = patient_create(
        author=parent,
        display_name="Ada",
        document={
            "birth_date": "2020-03-01",
            "region": "US",
            "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
            "clinical": {
                "symptomatic": True,
                "symptom_onset_age_months": 10,
                "max_motor_milestone": "sits_independently",
                "current_motor_function": "sitter",
            },
        },
        as_of=AS_OF,
    )
    assessment_record(
        author=parent,
        patient_id=shared_child.pk,
        date="2026-01-10",
        instrument="HFMSE",
        value=30,
        as_of=AS_OF,
    )
    clinic_share_invite(author=parent, patient_id=shared_child.pk, clinic=clinic)
    private_child = patient_create(
        author=parent, display_name="Ben", document={"birth_date": "2026-11-01", "region": "US"}, as_of=AS_OF
    )
    adult_record = patient_create(
        author=adult,
        display_name="Cleo",
        document={"birth_date": "1990-05-05", "region": "EU"},
        as_of=AS_OF,
        relation=GuardianRelation.SELF,
    )
    clinic_share_invite(author=adult, patient_id=adult_record.pk, clinic=other_clinic)
    for author, patient in ((parent, shared_child), (parent, private_child), (adult, adult_record)):
        assessment_record(
            author=author,
            patient_id=patient.pk,
            date="2026-11-15",
            instrument="WEIGHT_KG",
            value=20,
            as_of=AS_OF,
        )
    return Personas(
        clinic=clinic,
        other_clinic=other_clinic,
        parent=parent,
        adult=adult,
        clinician=clinician,
        coordinator=coordinator,
        outsider=outsider,
        other_clinician=other_clinician,
        administrator=administrator,
        shared_child=shared_child,
        private_child=private_child,
        adult_record=adult_record,
    )


def log_in(client: Client, user: Any, *, verified: bool = True) -> Client:
    """Sign the client in as `user`; clinic staff also pass the TOTP check unless `verified=False`."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = user.totpdevice_set.filter(confirmed=True).first()
    if verified and device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(name="people")
def people_fixture(db: Any, settings: Any) -> Personas:
    # Argon2 is deliberately slow; these tests are about access, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_personas()
