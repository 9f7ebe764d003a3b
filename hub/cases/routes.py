"""The cases blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.cases never loads its views)."""

from hub.cases import bp, concern_views, concerns_bp, referral_views, views  # noqa: F401  (registers the routes)
from hub.cases.service import (
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

__all__ = ["bp", "concerns_bp"]
