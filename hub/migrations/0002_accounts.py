"""User accounts: who may sign in, with which role and secret."""

STATEMENTS = (
    """CREATE TABLE user_account (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('coordinator', 'case_worker', 'facilitator', 'member')),
        secret_kind TEXT NOT NULL CHECK (secret_kind IN ('pin', 'password')),
        secret_hash TEXT NOT NULL,
        language TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        must_change_secret INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    )""",
)

