"""The mothers' group savings ledger: savings cycles, their members and meetings, and one append-only table of
entries (with the officers' approvals) from which every balance is a sum."""

KINDS = ("'deposit', 'social_fund', 'social_grant', 'fine', 'loan', 'repayment', 'income', 'expense', "
         "'share_out', 'payout', 'reversal'")
MEMBER_KINDS = "'deposit', 'social_fund', 'social_grant', 'fine', 'loan', 'repayment', 'payout'"

STATEMENTS = (
    """CREATE TABLE savings_cycle (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES community_group (id),
        name TEXT NOT NULL CHECK (name != ''),
        starts_on TEXT NOT NULL,
        ends_on TEXT NOT NULL,
        share_value INTEGER NOT NULL CHECK (share_value > 0),
        social_amount INTEGER NOT NULL CHECK (social_amount >= 0),
        rate_bp INTEGER NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 10000),
        created_by INTEGER REFERENCES user_account (id),
        created_at TEXT NOT NULL,
        CHECK (ends_on > starts_on)
    )""",
    "CREATE INDEX savings_cycle_group ON savings_cycle (group_id)",
    """CREATE TABLE savings_member (
        id INTEGER PRIMARY KEY,
        cycle_id INTEGER NOT NULL REFERENCES savings_cycle (id),
        person_id INTEGER NOT NULL REFERENCES person (id),
        user_id INTEGER REFERENCES user_account (id),
        joined_on TEXT NOT NULL,
        UNIQUE (cycle_id, person_id),
        UNIQUE (cycle_id, user_id)
    )""",
    "CREATE INDEX savings_member_user ON savings_member (user_id)",
    """CREATE TABLE savings_meeting (
        id INTEGER PRIMARY KEY,
        cycle_id INTEGER NOT NULL REFERENCES savings_cycle (id),
        held_on TEXT NOT NULL,
        recorded_by INTEGER REFERENCES user_account (id),
        created_at TEXT NOT NULL,
        UNIQUE (cycle_id, held_on)
    )""",
    """CREATE TABLE savings_presence (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES savings_meeting (id),
        member_id INTEGER NOT NULL REFERENCES savings_member (id),
        present INTEGER NOT NULL CHECK (present IN (0, 1)),
        UNIQUE (meeting_id, member_id)
    )""",
    f"""CREATE TABLE savings_entry (
        id INTEGER PRIMARY KEY,
        cycle_id INTEGER NOT NULL REFERENCES savings_cycle (id),
        kind TEXT NOT NULL CHECK (kind IN ({KINDS})),
        member_id INTEGER REFERENCES savings_member (id),
        amount INTEGER NOT NULL CHECK (amount > 0 AND amount <= 1000000000000),
        interest INTEGER NOT NULL DEFAULT 0 CHECK (interest >= 0),
        profit INTEGER NOT NULL DEFAULT 0,
        rate_bp INTEGER CHECK (rate_bp IS NULL OR (rate_bp >= 0 AND rate_bp <= 10000)),
        months INTEGER CHECK (months IS NULL OR (months >= 1 AND months <= 36)),
        ref_id INTEGER REFERENCES savings_entry (id),
        reverses_id INTEGER UNIQUE REFERENCES savings_entry (id),
        meeting_id INTEGER REFERENCES savings_meeting (id),
        on_day TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        recorded_by INTEGER REFERENCES user_account (id),
        created_at TEXT NOT NULL,
        CHECK (kind NOT IN ({MEMBER_KINDS}) OR member_id IS NOT NULL),
        CHECK (kind NOT IN ('income', 'expense', 'share_out') OR member_id IS NULL),
        CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
        CHECK ((kind IN ('repayment', 'payout')) = (ref_id IS NOT NULL)),
        CHECK ((kind = 'loan') = (rate_bp IS NOT NULL AND months IS NOT NULL)),
        CHECK (kind = 'loan' OR interest = 0),
        CHECK (kind = 'payout' OR profit = 0)
    )""",
    "CREATE INDEX savings_entry_cycle ON savings_entry (cycle_id, kind, member_id)",
    "CREATE INDEX savings_entry_member ON savings_entry (member_id, id)",
    "CREATE INDEX savings_entry_ref ON savings_entry (ref_id)",
    """CREATE TABLE savings_approval (
        id INTEGER PRIMARY KEY,
        entry_id INTEGER NOT NULL REFERENCES savings_entry (id),
        officer_id INTEGER NOT NULL REFERENCES savings_member (id),
        user_id INTEGER REFERENCES user_account (id),
        approved_at TEXT NOT NULL,
        UNIQUE (entry_id, officer_id),
        UNIQUE (entry_id, user_id)
    )""",
    # The ledger is append-only: a correction is a reversing entry, never an edit.
    """CREATE TRIGGER savings_entry_never_updated BEFORE UPDATE ON savings_entry
        BEGIN SELECT RAISE(ABORT, 'savings entries are never changed: record a reversal'); END""",
    """CREATE TRIGGER savings_entry_never_deleted BEFORE DELETE ON savings_entry
        BEGIN SELECT RAISE(ABORT, 'savings entries are never deleted: record a reversal'); END""",
    """CREATE TRIGGER savings_approval_never_updated BEFORE UPDATE ON savings_approval
        BEGIN SELECT RAISE(ABORT, 'approvals are never changed'); END""",
    """CREATE TRIGGER savings_approval_never_deleted BEFORE DELETE ON savings_approval
        BEGIN SELECT RAISE(ABORT, 'approvals are never deleted'); END""",
)
