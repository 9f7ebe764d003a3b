"""Community groups, and which accounts belong to which group."""

STATEMENTS = (
    """CREATE TABLE community_group (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('care_group', 'mothers_group', 'youth_forum', 'childrens_group',
                                           'vigilance_committee', 'school_committee', 'local_club')),
        description TEXT NOT NULL DEFAULT '',
        archived INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX community_group_name ON community_group (name COLLATE NOCASE)",
    """CREATE TABLE account_group (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES user_account (id),
        group_id INTEGER NOT NULL REFERENCES community_group (id),
        UNIQUE (user_id, group_id)
    )""",
)
