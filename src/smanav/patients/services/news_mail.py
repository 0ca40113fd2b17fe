"""Emails that something changed (`RecordNews`), to the family and the clinic team who asked for them
(`ReminderPreference.news_by_email`).

One email per account and run, listing the records that have news: their names and how many changes,
never what changed (email is read on lock screens and shared devices); the subject names nothing. The
news are marked emailed after their recipients were sent to, so a later run does not tell them again;
news of a record nobody asked emails for are marked too. Every record named is audited as read by the
account it is sent to.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from smanav.accounts.models import Clinic, ReminderPreference, StaffMembership, User
from smanav.audit.purposes import Purpose
from smanav.audit.services import audit_reads
from smanav.patients.models import ClinicShare, Guardian, Patient, RecordNews

NEWS_PURPOSE = Purpose.job("email that something changed for a record")


def _recipients(patient_ids: list[int]) -> dict[User, dict[int, int | None]]:
    """Who asked for these emails, with the records (and the clinic they read them for) to name."""
    wanting = set(
        ReminderPreference.objects.filter(news_by_email=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
    )
    found: dict[int, dict[int, int | None]] = defaultdict(dict)
    for user_id, patient_id in Guardian.objects.filter(patient_id__in=patient_ids).values_list(
        "user_id", "patient_id"
    ):
        if user_id in wanting:
            found[user_id][patient_id] = None
    shares = ClinicShare.objects.filter(patient_id__in=patient_ids, withdrawn_at__isnull=True)
    clinics: dict[int, list[int]] = defaultdict(list)
    for clinic_id, patient_id in shares.values_list("clinic_id", "patient_id"):
        clinics[clinic_id].append(patient_id)
    staff = StaffMembership.objects.filter(
        clinic_id__in=clinics, confirmed_at__isnull=False, user_id__in=wanting
    ).values_list("user_id", "clinic_id")
    for user_id, clinic_id in staff:
        for patient_id in clinics[clinic_id]:
            found[user_id].setdefault(patient_id, clinic_id)
    users = User.objects.in_bulk(list(found))
    return {users[user_id]: records for user_id, records in found.items()}


def news_emails_send(*, site_url: str) -> int:
    """Email everyone who asked about the records with news not yet emailed; answers how many emails."""
    pending = RecordNews.objects.filter(emailed_at__isnull=True)
    counts = dict(pending.values("patient_id").annotate(n=Count("id")).values_list("patient_id", "n"))
    if not counts:
        return 0
    names = dict(Patient.objects.filter(pk__in=counts).values_list("pk", "display_name"))
    recipients = _recipients(list(counts))
    clinic_ids = {clinic_id for records in recipients.values() for clinic_id in records.values()}
    clinics = Clinic.objects.in_bulk([clinic_id for clinic_id in clinic_ids if clinic_id is not None])
    sent = 0
    for user, records in sorted(recipients.items(), key=lambda pair: pair[0].pk):
        by_clinic: dict[int | None, list[int]] = defaultdict(list)
        for patient_id, clinic_id in records.items():
            by_clinic[clinic_id].append(patient_id)
        for clinic_id, ids in by_clinic.items():
            audit_reads(
                actor=user,
                clinic=None if clinic_id is None else clinics[clinic_id],
                patient_ids=ids,
                purpose=NEWS_PURPOSE,
            )
        listed = sorted(((names[pid], counts[pid]) for pid in records), key=lambda pair: pair[0])
        context = {"user": user, "records": listed, "site_url": site_url}
        send_mail(
            subject=render_to_string("patients/news_subject.txt", context).strip(),
            message=render_to_string("patients/news_email.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
        sent += 1
    with transaction.atomic():
        pending.filter(patient_id__in=list(counts)).update(emailed_at=timezone.now())
    return sent
