"""The vigilance committee's migration register: departures, follow-up calls, returns."""

STATEMENTS = (
    """CREATE TABLE departure (
        id INTEGER PRIMARY KEY,
        committee_id INTEGER NOT NULL REFERENCES community_group (id),
        person_id INTEGER REFERENCES person (id),
        name TEXT NOT NULL CHECK (name != ''),
        age INTEGER NOT NULL CHECK (age >= 0 AND age <= 120),
        hamlet TEXT NOT NULL DEFAULT '',
        left_on TEXT NOT NULL,
        destination TEXT NOT NULL CHECK (destination != ''),
        purpose TEXT NOT NULL CHECK (purpose IN ('work', 'marriage', 'education', 'other')),
        agent TEXT NOT NULL DEFAULT '',
        expected_return TEXT,
        contact TEXT NOT NULL DEFAULT '',
        returned_on TEXT,
        created_by INTEGER REFERENCES user_account (id),
        created_at TEXT NOT NULL,
        CHECK (expected_return IS NULL OR expected_return >= left_on),
        CHECK (returned_on IS NULL OR returned_on >= left_on)
    )""",
    "CREATE INDEX departure_committee ON departure (committee_id, returned_on)",
    "CREATE INDEX departure_person ON departure (person_id)",
    """CREATE TABLE departure_call (
        id INTEGER PRIMARY KEY,
        departure_id INTEGER NOT NULL REFERENCES departure (id),
        called_on TEXT NOT NULL,
        result TEXT NOT NULL CHECK (result != ''),
        user_id INTEGER REFERENCES user_account (id)
    )""",
    "CREATE INDEX departure_call_departure ON departure_call (departure_id)",
)
