"""Protocol tables (made by migration 0007): the coordinator's own wording of a category's protocol in a
language; the shipped protocols live in code (hub.protocols.service) and are translated by the catalogs."""

from peewee import CharField

from hub.db import BaseModel


class ProtocolText(BaseModel):
    category = CharField()      # a value of hub.cases.models.CATEGORIES
    language = CharField()
    who_to_call = CharField(default="")
    first_steps = CharField(default="")
    do_not = CharField(default="")
    refer_to = CharField(default="")

    class Meta:
        table_name = "protocol_text"
