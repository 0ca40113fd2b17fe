"""Named people for the web tests: a parent with two children, an adult who keeps their own record, a
clinician and a coordinator of one clinic, an outsider (a family account with nothing shared), a
clinician of another clinic, two administrators, a researcher (no clinic), and three accounts whose
powers wait for confirmation (a clinician and a researcher asked for by the administrator, a superuser
made on the command line). Everything is made
through the services, the way an installation grows: the first administrator on the command line, the
second confirmed by the first, staff asked for by one and confirmed by the other."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from smanav.accounts.grants import (
    administrator_confirm,
    administrator_request,
    researcher_add,
    researcher_confirm,
    staff_add,
    staff_confirm,
)
from smanav.accounts.models import Clinic, StaffRole
from smanav.accounts.services import clinic_create, totp_device_create, user_create
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
    second_administrator: Any
    pending_clinician: Any  # asked for by `administrator`, not confirmed
    pending_administrator: Any  # a superuser made on the command line, not confirmed
    researcher: Any  # asked for by `administrator`, confirmed by `second_administrator`
    pending_researcher: Any  # asked for by `administrator`, not confirmed
    shared_child: Patient  # the parent's child, shared with `clinic`
    private_child: Patient  # the parent's other child, shared with nobody
    adult_record: Patient  # the adult's own record, shared with `other_clinic`

    def by_role(self, role: str) -> Any:
        return getattr(self, role)


def make_user(username: str, *, second_factor: bool = False) -> Any:
    user = user_create(username=username, email=f"{username}@example.org", password=PASSWORD)
    if second_factor:
        totp_device_create(user=user, confirmed=True, key=TOTP_KEY)
    return user


def make_staff(
    username: str, clinic: Clinic, role: StaffRole, *, asked_by: Any, confirmed_by: Any | None
) -> Any:
    """A staff account asked for by `asked_by`, confirmed by `confirmed_by` (None: left waiting)."""
    user = make_user(username, second_factor=True)
    membership = staff_add(requested_by=asked_by, user=user, clinic=clinic, role=role)
    if confirmed_by is not None:
        staff_confirm(actor=confirmed_by, membership=membership, site="http://testserver")
    return user


def make_researcher(username: str, *, asked_by: Any, confirmed_by: Any | None) -> Any:
    """A researcher account with a second factor, asked for by `asked_by`, confirmed by `confirmed_by`
    (None: left waiting)."""
    user = make_user(username, second_factor=True)
    grant = researcher_add(requested_by=asked_by, user=user)
    if confirmed_by is not None:
        researcher_confirm(actor=confirmed_by, grant=grant, site="http://testserver")
    return user


def make_administrators() -> tuple[Any, Any]:
    """The first administrator (made on the command line, confirmed at once) and a second one (asked
    for on the command line, confirmed by the first), both with a second factor."""
    first = make_user("admin", second_factor=True)
    administrator_request(requested_by=None, user=first)
    second = make_user("second_admin", second_factor=True)
    administrator_confirm(actor=first, grant=administrator_request(requested_by=None, user=second))
    return first, second


def make_personas() -> Personas:
    clinic = clinic_create(name="Northside Neuromuscular Clinic", slug="northside", region="US")
    other_clinic = clinic_create(name="Southside Clinic", slug="southside", region="US")
    parent = user_create(username="parent", email="parent@example.org", password=PASSWORD)
    adult = user_create(username="adult", email="adult@example.org", password=PASSWORD)
    outsider = user_create(username="outsider", email="outsider@example.org", password=PASSWORD)
    administrator, second_administrator = make_administrators()
    confirmed = {"asked_by": administrator, "confirmed_by": second_administrator}
    clinician = make_staff("clinician", clinic, StaffRole.CLINICIAN, **confirmed)
    coordinator = make_staff("coordinator", clinic, StaffRole.COORDINATOR, **confirmed)
    other_clinician = make_staff("other_clinician", other_clinic, StaffRole.CLINICIAN, **confirmed)
    pending_clinician = make_staff(
        "pending_clinician", clinic, StaffRole.CLINICIAN, asked_by=administrator, confirmed_by=None
    )
    # What `createsuperuser` leaves once an administrator exists: the flag, and a request that waits.
    pending_administrator = make_user("pending_admin", second_factor=True)
    pending_administrator.is_superuser = pending_administrator.is_staff = True
    pending_administrator.save()
    administrator_request(requested_by=None, user=pending_administrator)
    researcher = make_researcher("researcher", **confirmed)
    pending_researcher = make_researcher("pending_researcher", asked_by=administrator, confirmed_by=None)
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
        date=dt.date(2026, 1, 10),
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
            date=dt.date(2026, 11, 15),
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
        second_administrator=second_administrator,
        pending_clinician=pending_clinician,
        pending_administrator=pending_administrator,
        researcher=researcher,
        pending_researcher=pending_researcher,
        shared_child=shared_child,
        private_child=private_child,
        adult_record=adult_record,
    )


def log_in(client: Client, user: Any, *, verified: bool = True) -> Client:
    """Sign the client in as `user`; an account with a second factor also passes the TOTP check unless
    `verified=False`."""
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
