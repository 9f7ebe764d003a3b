"""What a submission sent late differs in from the record as the hub has it now (a roster, a case)."""


class Conflict(Exception):
    """The record changed on the hub after the form was filled, and what was sent differs from it: nothing
    was saved. differences is [(label, on the hub, sent)], all strings a person reads; version is the record's
    version now, which a second sending carries when the person chooses to keep theirs."""

    def __init__(self, version, differences):
        super().__init__("changed on the hub since the form was filled")
        self.version = version
        self.differences = differences
