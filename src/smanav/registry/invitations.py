"""Invitations to review a participant's registry data and consents, by e-mail, every
`SMANAV_CONSENT_REVIEW_MONTHS` (default 6) after the last review (`registry.consent.review_due_on`).

The daily job (`registry.tasks.send_review_invitations`, queued by `manage.py registry_review_invitations`)
e-mails the accounts that keep each registry participant whose review is due (the person, or the parents
and carers of a child), once for each due date: a `ReviewInvitation` row per participant and due date
makes a second run, or two workers at once, send nothing twice. Confirming the review on the consent page
moves the due date on. The subject names nothing; the body names the record (by the name the family gave
it) and links to its consent page, and says no health detail. Each invitation is audited on the record.
"""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.models import Guardian
from smanav.registry.consent import review_months
from smanav.registry.models import ReviewInvitation
from smanav.registry.selectors import participants_due_for_review, review_due_date

INVITATION_WHAT = "registry review invitation e-mailed"


def review_invitations_send(*, on: dt.date, site_url: str) -> int:
    """E-mail every participant due for review on `on` who was not invited for that due date yet;
    answers how many records were invited."""
    invited = 0
    for patient in participants_due_for_review(on=on).order_by("pk").iterator(chunk_size=500):
        due_on = review_due_date(patient=patient)
        if due_on is None or due_on > on:
            continue
        if _invite(
            patient_id=patient.pk, display_name=patient.display_name, due_on=due_on, site_url=site_url
        ):
            invited += 1
    return invited


def _invite(*, patient_id: int, display_name: str, due_on: dt.date, site_url: str) -> bool:
    keepers = (
        Guardian.objects.filter(patient_id=patient_id, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("id")
    )
    try:
        with transaction.atomic():
            # The row first: another worker inviting the same record for the same date stops here.
            invitation = ReviewInvitation.objects.create(patient_id=patient_id, due_on=due_on)
            for guardian in keepers:
                context = {
                    "user": guardian.user,
                    "display_name": display_name,
                    "months": review_months(),
                    "link": site_url + reverse("registry:consent", args=[patient_id]),
                }
                send_mail(
                    subject=render_to_string("registry/review_invitation_subject.txt", context).strip(),
                    message=render_to_string("registry/review_invitation_email.txt", context),
                    from_email=None,
                    recipient_list=[guardian.user.email],
                )
                invitation.recipients += 1
            invitation.save(update_fields=["recipients"])
            audit_record(
                actor=None,
                clinic=None,
                patient_id=patient_id,
                action=AuditAction.VIEW,
                what=f"{INVITATION_WHAT} ({invitation.recipients} recipient(s), review due {due_on})",
            )
    except IntegrityError:
        return False  # invited for this due date already
    return True
