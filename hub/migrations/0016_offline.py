"""Work away from the hub (hub.offline): the idempotency keys of submissions kept on a phone and sent later
(one row per key, so a second delivery changes nothing), and how many days a phone keeps them."""

STATEMENTS = (
    """CREATE TABLE offline_receipt (
        key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 16 AND 64),
        kind TEXT NOT NULL CHECK (kind IN ('concern', 'roster', 'visit')),
        user_id INTEGER REFERENCES user_account (id),
        object_id INTEGER,
        received_at TEXT NOT NULL
    )""",
    "CREATE INDEX offline_receipt_received ON offline_receipt (received_at)",
    """CREATE TABLE offline_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        keep_days INTEGER NOT NULL DEFAULT 14 CHECK (keep_days BETWEEN 1 AND 90)
    )""",
)
