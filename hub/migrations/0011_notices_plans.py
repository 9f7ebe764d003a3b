"""Notices and urgent alerts with who has seen and acknowledged each; action plans, their actions and the
formal actors (services) involved."""

STATEMENTS = (
    """CREATE TABLE notice (
        id INTEGER PRIMARY KEY,
        group_id INTEGER REFERENCES community_group (id),
        title TEXT NOT NULL CHECK (title != ''),
        body TEXT NOT NULL CHECK (body != ''),
        urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
        created_by INTEGER NOT NULL REFERENCES user_account (id),
        created_at TEXT NOT NULL,
        ends_on TEXT,
        ended_at TEXT,
        ended_by INTEGER REFERENCES user_account (id)
    )""",
    "CREATE INDEX notice_group ON notice (group_id, ended_at)",
    """CREATE TABLE notice_receipt (
        id INTEGER PRIMARY KEY,
        notice_id INTEGER NOT NULL REFERENCES notice (id),
        user_id INTEGER NOT NULL REFERENCES user_account (id),
        seen_at TEXT NOT NULL,
        acknowledged_at TEXT,
        UNIQUE (notice_id, user_id),
        CHECK (acknowledged_at IS NULL OR acknowledged_at >= seen_at)
    )""",
    "CREATE INDEX notice_receipt_user ON notice_receipt (user_id)",
    """CREATE TABLE action_plan (
        id INTEGER PRIMARY KEY,
        goal TEXT NOT NULL CHECK (goal != ''),
        agreed_on TEXT NOT NULL,
        criteria TEXT NOT NULL DEFAULT '',
        formal_link TEXT NOT NULL DEFAULT '',
        sustainability TEXT NOT NULL DEFAULT '',
        created_by INTEGER REFERENCES user_account (id),
        created_at TEXT NOT NULL,
        updated_at TEXT
    )""",
    """CREATE TABLE plan_service (
        id INTEGER PRIMARY KEY,
        plan_id INTEGER NOT NULL REFERENCES action_plan (id),
        service_id INTEGER NOT NULL REFERENCES service (id),
        UNIQUE (plan_id, service_id)
    )""",
    """CREATE TABLE plan_action (
        id INTEGER PRIMARY KEY,
        plan_id INTEGER NOT NULL REFERENCES action_plan (id),
        description TEXT NOT NULL CHECK (description != ''),
        owner_id INTEGER REFERENCES user_account (id),
        owner_name TEXT NOT NULL DEFAULT '',
        due_on TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'dropped')),
        created_at TEXT NOT NULL,
        updated_at TEXT,
        CHECK (owner_id IS NOT NULL OR owner_name != '')
    )""",
    "CREATE INDEX plan_action_plan ON plan_action (plan_id, due_on)",
)
