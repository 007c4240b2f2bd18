"""Writes of the workflow. Every service is ``<noun>_<verb>(*, actor, ...)``, validates (one
message listing everything wrong), runs in one transaction and writes its change-log rows; a
case moves only along a row of ``workflow.STEPS``, by a conditional update (see ``_base``).

The modules: ``intake`` (applications, leads, acceptance, conflict of interest), ``steps``
(authorisation, investigation, verification, assessment, opinion, deliberation, hearings, help
first, extension), ``notices`` (公示), ``decisions`` (approval, refusal, stop, letters, joint
meetings), ``reviews`` (periodic and change reviews, deadline recomputation), ``complaints``,
``documents`` (uploads).
"""

from safetynet.applications.services.complaints import (
    complaint_answer,
    complaint_assign,
    complaint_close,
    complaint_register,
)
from safetynet.applications.services.decisions import (
    ApprovalInput,
    MemberShare,
    approval_defaults,
    case_approve,
    case_notify,
    case_refuse,
    case_stop,
    letter_regenerate,
    meeting_create,
    meeting_record,
)
from safetynet.applications.services.documents import document_upload
from safetynet.applications.services.intake import (
    MATERIALS,
    ApplicationInput,
    application_self_submit,
    application_submit,
    case_accept,
    case_commitment,
    case_not_accept,
    case_resubmit,
    case_return,
    discovery_report_create,
    lead_convert,
    lead_create,
    lead_decline,
    staff_relative_declare,
    staff_relative_end,
)
from safetynet.applications.services.notices import (
    notice_close,
    notice_close_if_ended,
    notice_publish,
    notices_close_ended,
    objection_record,
)
from safetynet.applications.services.reviews import (
    changes_scan,
    deadlines_recompute,
    review_open,
    reviews_schedule,
)
from safetynet.applications.services.spotchecks import spot_check_draw, spot_check_record
from safetynet.applications.services.steps import (
    authorisation_record,
    case_assess,
    case_assign,
    case_deliberate,
    case_extend,
    case_help_first,
    case_move,
    case_propose,
    case_reinvestigate,
    deliberation_record,
    hearing_record,
    verification_attach,
    visit_record,
)

__all__ = [
    "MATERIALS",
    "ApplicationInput",
    "ApprovalInput",
    "MemberShare",
    "application_self_submit",
    "application_submit",
    "approval_defaults",
    "authorisation_record",
    "case_accept",
    "case_approve",
    "case_assess",
    "case_assign",
    "case_commitment",
    "case_deliberate",
    "case_extend",
    "case_help_first",
    "case_move",
    "case_not_accept",
    "case_notify",
    "case_propose",
    "case_refuse",
    "case_reinvestigate",
    "case_resubmit",
    "case_return",
    "case_stop",
    "changes_scan",
    "complaint_answer",
    "complaint_assign",
    "complaint_close",
    "complaint_register",
    "deadlines_recompute",
    "deliberation_record",
    "discovery_report_create",
    "document_upload",
    "hearing_record",
    "lead_convert",
    "lead_create",
    "lead_decline",
    "letter_regenerate",
    "meeting_create",
    "meeting_record",
    "notice_close",
    "notice_close_if_ended",
    "notices_close_ended",
    "notice_publish",
    "objection_record",
    "review_open",
    "reviews_schedule",
    "spot_check_draw",
    "spot_check_record",
    "staff_relative_declare",
    "staff_relative_end",
    "verification_attach",
    "visit_record",
]
