"""The register of children and adults the groups work with, and their group memberships."""

from flask import Blueprint

bp = Blueprint("people", __name__)
