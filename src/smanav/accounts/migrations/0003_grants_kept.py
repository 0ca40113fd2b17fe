"""Staff and superusers that existed before confirmation was required keep their powers.

Each is marked confirmed (by nobody: the upgrade did it) and the audit trail says so, so an
administrator can review them on the clinics page's list of account changes. They still have to pass
two-factor authentication from now on.
"""

from typing import Any

from django.db import migrations


def keep_existing_powers(apps: Any, schema_editor: Any) -> None:
    StaffMembership = apps.get_model("accounts", "StaffMembership")
    AdministratorGrant = apps.get_model("accounts", "AdministratorGrant")
    AccountEvent = apps.get_model("audit", "AccountEvent")
    User = apps.get_model("accounts", "User")
    for membership in StaffMembership.objects.filter(confirmed_at__isnull=True).select_related("user"):
        membership.requested_at = membership.created_at
        membership.confirmed_at = membership.created_at
        membership.save(update_fields=["requested_at", "confirmed_at"])
        AccountEvent.objects.create(
            actor=None,
            actor_label="the upgrade to confirmed grants",
            subject=membership.user,
            subject_label=membership.user.username,
            clinic_id=membership.clinic_id,
            action="powers_kept",
            what=f"clinic staff ({membership.role})",
        )
    for user in User.objects.filter(is_superuser=True, administrator_grant__isnull=True):
        AdministratorGrant.objects.create(
            user=user, requested_at=user.date_joined, confirmed_at=user.date_joined
        )
        AccountEvent.objects.create(
            actor=None,
            actor_label="the upgrade to confirmed grants",
            subject=user,
            subject_label=user.username,
            action="powers_kept",
            what="administrator",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_grants"),
        ("audit", "0002_account_events"),
    ]

    operations = [migrations.RunPython(keep_existing_powers, migrations.RunPython.noop)]
