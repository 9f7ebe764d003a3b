"""The village profile and its emergency numbers."""

STATEMENTS = (
    """CREATE TABLE village (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        district TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL,
        languages TEXT NOT NULL DEFAULT 'en'
    )""",
    """CREATE TABLE emergency_number (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        number TEXT NOT NULL,
        position INTEGER NOT NULL
    )""",
)

