"""One table of labels per published figure (federation/labels.py): complete, shared, free of the hub."""

import ast
from pathlib import Path

from federation import labels, schema
from hub.sharing import describe

ROOT = Path(__file__).resolve().parent.parent


def test_labels__name_every_table_cell_and_value_of_the_schema(app):
    with app.test_request_context():
        for table, meta in schema.TABLES.items():
            assert table in labels.TABLE_TITLES, table
            for cell in meta["cells"]:
                if table != "attendance":
                    assert cell in labels.CELL_LABELS[table], (table, cell)
                assert labels.cell(table, cell) != cell, (table, cell)
        for name in schema.VALUES:
            assert name in labels.VALUE_LABELS, name
        assert labels.figure("attendance:female.10-14") == "Female, 10-14 years"
        assert labels.figure("concerns_opened_by_risk:not_assessed") == "Not assessed yet"
        assert labels.figure("sessions_held:total") == "Sessions held"
        assert labels.figure("value:median_days_to_referral=2-7") == labels.value("median_days_to_referral")


def test_labels__one_name_for_the_village_report_and_the_district(app):
    """The hub's describe module names a figure exactly as the aggregator does."""
    payload = {"tables": {"migration": {"cells": {"minors_away": "<5"}}}, "values": {}}
    with app.test_request_context():
        (section,) = describe.describe(payload)
        assert section.title == labels.table("migration")
        assert section.rows[0].label == labels.figure("migration:minors_away")


def test_labels__import_from_the_hub_only_the_categories_of_concern():
    tree = ast.parse((ROOT / "federation" / "labels.py").read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert [name for name in imported if name == "hub" or name.startswith("hub.")] == ["hub.categories"]
    tree = ast.parse((ROOT / "hub" / "categories.py").read_text(encoding="utf-8"))
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module.startswith("hub")]
    aggregator_web = (ROOT / "federation" / "aggregator" / "web").glob("*.py")
    assert not [path for path in aggregator_web if path.name == "labels.py"]  # the old second table is gone


def test_category_names__are_written_once_for_the_village_and_the_district():
    from hub.cases import service as cases
    from hub.categories import CATEGORY_LABELS
    from hub.protocols import service as protocols

    assert labels.CATEGORY_LABELS is CATEGORY_LABELS
    assert cases.CATEGORY_LABELS is CATEGORY_LABELS and protocols.CATEGORY_LABELS is CATEGORY_LABELS
