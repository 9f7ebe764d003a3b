"""School status: children out of school with the reason, the outreach visits made to them, the re-enrolment."""

REASONS = ("'work', 'marriage', 'migration', 'cost', 'distance', 'disability', 'illness', 'caring_for_siblings', "
           "'not_interested', 'other'")

STATEMENTS = (
    f"""CREATE TABLE school_dropout (
        id INTEGER PRIMARY KEY,
        child_id INTEGER NOT NULL REFERENCES person (id),
        left_on TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ({REASONS})),
        details TEXT NOT NULL DEFAULT '',
        school TEXT NOT NULL DEFAULT '',
        reenrolled_on TEXT,
        reenrolled_school TEXT NOT NULL DEFAULT '',
        created_by INTEGER REFERENCES user_account (id),
        created_at TEXT NOT NULL,
        CHECK (reason != 'other' OR details != ''),
        CHECK (reenrolled_on IS NULL OR reenrolled_on >= left_on),
        CHECK (reenrolled_on IS NULL OR reenrolled_school != '')
    )""",
    "CREATE INDEX school_dropout_child ON school_dropout (child_id)",
    "CREATE INDEX school_dropout_left ON school_dropout (left_on)",
    "CREATE INDEX school_dropout_reenrolled ON school_dropout (reenrolled_on)",
    # A child is out of school once at a time: one open record per child.
    "CREATE UNIQUE INDEX school_dropout_one_open ON school_dropout (child_id) WHERE reenrolled_on IS NULL",
    """CREATE TABLE outreach_visit (
        id INTEGER PRIMARY KEY,
        dropout_id INTEGER NOT NULL REFERENCES school_dropout (id),
        visited_on TEXT NOT NULL,
        visited_by TEXT NOT NULL CHECK (visited_by != ''),
        result TEXT NOT NULL CHECK (result != ''),
        next_step TEXT NOT NULL DEFAULT '',
        user_id INTEGER REFERENCES user_account (id)
    )""",
    "CREATE INDEX outreach_visit_dropout ON outreach_visit (dropout_id)",
)
