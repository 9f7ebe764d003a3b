"""The categories of concern and their names: one table for the village and the district.

The cases, the protocols and the services directory name a category from here, and so do the district's
pages and exports (federation.labels), so "Child labour" reads the same everywhere with one translation.
It imports nothing from the hub: the aggregator reads it without loading any village area. The keys are
hub.cases.models.CATEGORIES, in order (tests/test_protocols.py checks they agree).
"""

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "child_labour": _l("Child labour"),
    "trafficking": _l("Trafficking"),
    "child_marriage": _l("Child marriage"),
    "sexual_abuse": _l("Sexual abuse"),
    "physical_abuse": _l("Physical abuse"),
    "neglect": _l("Neglect"),
    "school_dropout": _l("School drop-out"),
    "missing_child": _l("Missing child"),
    "unsafe_migration": _l("Unsafe migration"),
    "substance_abuse": _l("Substance abuse"),
    "other": _l("Other concern"),
}
