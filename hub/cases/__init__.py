"""Concerns and cases: anyone reports a concern; case workers triage, act, refer and follow up."""

from flask import Blueprint

concerns_bp = Blueprint("concerns", __name__, url_prefix="/concerns")
bp = Blueprint("cases", __name__)

from hub.cases import concern_views, referral_views, views  # noqa: E402,F401  (registers the routes)
from hub.cases.service import (  # noqa: E402
    action_label,
    basis_label,
    case_status_label,
    category_label,
    consent_label,
    in_immediate_danger,
    overdue_note,
    referral_status_label,
    risk_label,
)

# The home page and the reporter's list name categories and statuses too.
for _label in (action_label, basis_label, case_status_label, category_label, consent_label, in_immediate_danger,
               overdue_note, referral_status_label, risk_label):
    bp.add_app_template_global(_label)
