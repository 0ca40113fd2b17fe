"""The one write path for patient records, by entity (after Zulip's `zerver/actions/`):

* `records`: a record's own fields and its measurements;
* `treatments`: treatment courses, their doses and the safety tests a therapy asks for;
* `sharing`: which clinics see a record;
* `alerts`: clinicians acknowledge the alerts of a record;
* `carers`: which family accounts keep a record (invitations to a second carer);
* `leaving`: deleting a family account and the records only it keeps;
* `summaries`: the worklist's headline of each record, kept current.

Every change is validated by the clinical core on the whole record it would produce, bumps the record's
version, keeps the record as it stood afterwards (`versioning`), refreshes the summary and is audited.
Services take parsed, typed values (`datetime.date`, `Instrument`, `float`): the forms and the API parse
what people send (`smanav.patients.entries`) and report the core's problems in the core's words.
"""

from smanav.patients.services.alerts import AlertNotCurrent, NotAClinician, alert_acknowledge
from smanav.patients.services.carers import (
    InvitationRefused,
    carer_accept,
    carer_invitation_withdraw,
    carer_invite,
    carer_may_remove,
    carer_remove,
)
from smanav.patients.services.leaving import LeavingPlan, account_delete, account_leaving_plan
from smanav.patients.services.records import (
    DOCUMENT_FIELDS,
    assessment_delete,
    assessment_record,
    patient_create,
    patient_update,
)
from smanav.patients.services.sharing import clinic_share_invite, clinic_share_withdraw
from smanav.patients.services.summaries import (
    all_summaries_refresh,
    clinic_summaries_refresh,
    patient_summaries_rebuild,
    patient_summaries_refresh,
    patient_summary_refresh,
    summary_values,
)
from smanav.patients.services.treatments import (
    dose_delete,
    dose_record,
    lab_test_delete,
    lab_tests_record,
    treatment_end,
    treatment_record,
    treatment_regimen_set,
)
from smanav.patients.services.versioning import NotInRecord, StaleRecord

__all__ = [
    "DOCUMENT_FIELDS",
    "AlertNotCurrent",
    "InvitationRefused",
    "LeavingPlan",
    "NotAClinician",
    "NotInRecord",
    "StaleRecord",
    "account_delete",
    "account_leaving_plan",
    "alert_acknowledge",
    "all_summaries_refresh",
    "assessment_delete",
    "assessment_record",
    "carer_accept",
    "carer_invitation_withdraw",
    "carer_invite",
    "carer_may_remove",
    "carer_remove",
    "clinic_share_invite",
    "clinic_share_withdraw",
    "clinic_summaries_refresh",
    "dose_delete",
    "dose_record",
    "lab_test_delete",
    "lab_tests_record",
    "patient_create",
    "patient_summaries_rebuild",
    "patient_summaries_refresh",
    "patient_summary_refresh",
    "patient_update",
    "summary_values",
    "treatment_end",
    "treatment_record",
    "treatment_regimen_set",
]
