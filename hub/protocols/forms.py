"""Protocol forms: the coordinator's wording of a category's protocol in one language."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from hub.forms import at_most
from hub.protocols.service import PART_LABELS, PARTS

MAX_PART = 2000


def _part(name):
    return TextAreaField(PART_LABELS[name], validators=[at_most(MAX_PART)], render_kw={"rows": 6})


class ProtocolForm(FlaskForm):
    who_to_call = _part("who_to_call")
    first_steps = _part("first_steps")
    do_not = _part("do_not")
    refer_to = _part("refer_to")

    def values(self):
        """The parts as keyword arguments of hub.protocols.service.save_protocol."""
        return {part: getattr(self, part).data for part in PARTS}

