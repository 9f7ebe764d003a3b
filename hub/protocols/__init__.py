"""Protocols per category of concern: who to call, what to do first, what not to do, where to refer."""

from flask import Blueprint

bp = Blueprint("protocols", __name__, url_prefix="/protocols")
