"""Community groups: care group, mothers' group, youth forum, children's groups, committees, clubs."""

from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/groups")
