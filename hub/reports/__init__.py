"""What people want to see: attendance over time, catch-up lists, a facilitator's own record."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
