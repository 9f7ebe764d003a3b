"""The savings ledger of a mothers' group (village savings and loan style): cycles, meetings, deposits,
the social fund, loans with two officers' keys, repayments, fines, the group business, and the share-out."""

from flask import Blueprint

bp = Blueprint("savings", __name__, url_prefix="/savings")
