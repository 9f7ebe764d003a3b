"""Concerns and cases, their actions, follow-ups and referrals; the services directory; protocols."""

CATEGORIES = ("'child_labour', 'trafficking', 'child_marriage', 'sexual_abuse', 'physical_abuse', 'neglect', "
              "'school_dropout', 'missing_child', 'unsafe_migration', 'substance_abuse', 'other'")
SERVICE_KINDS = ("'police', 'child_helpline', 'anti_trafficking', 'legal_services', 'health', 'village_council', "
                 "'district_cpu', 'municipal_defence', 'school', 'ngo'")

STATEMENTS = (
    f"""CREATE TABLE case_file (
        id INTEGER PRIMARY KEY,
        category TEXT NOT NULL CHECK (category IN ({CATEGORIES})),
        child_id INTEGER REFERENCES person (id),
        child_description TEXT NOT NULL DEFAULT '',
        place TEXT NOT NULL DEFAULT '',
        what_happened TEXT NOT NULL DEFAULT '',
        in_danger INTEGER NOT NULL DEFAULT 0,
        reported_by INTEGER REFERENCES user_account (id),
        reported_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'reported' CHECK (status IN ('reported', 'assessed', 'action_taken',
            'referred', 'follow_up', 'closed')),
        risk TEXT NOT NULL DEFAULT '' CHECK (risk IN ('', 'low', 'medium', 'high', 'immediate')),
        assigned_to INTEGER REFERENCES user_account (id),
        next_follow_up TEXT,
        closed_on TEXT,
        closed_reason TEXT NOT NULL DEFAULT '',
        consent_by TEXT NOT NULL DEFAULT '' CHECK (consent_by IN ('', 'guardian', 'child')),
        consent_on TEXT,
        narrative_erased_on TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        updated_by INTEGER REFERENCES user_account (id),
        updated_at TEXT
    )""",
    "CREATE INDEX case_file_status ON case_file (status)",
    "CREATE INDEX case_file_assigned ON case_file (assigned_to, status)",
    "CREATE INDEX case_file_reporter ON case_file (reported_by)",
    """CREATE TABLE case_action (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES case_file (id),
        done_at TEXT NOT NULL,
        user_id INTEGER REFERENCES user_account (id),
        kind TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX case_action_case ON case_action (case_id)",
    """CREATE TABLE follow_up (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES case_file (id),
        visited_on TEXT NOT NULL,
        user_id INTEGER REFERENCES user_account (id),
        progress TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX follow_up_case ON follow_up (case_id)",
    f"""CREATE TABLE service (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ({SERVICE_KINDS})),
        phone TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        hours TEXT NOT NULL DEFAULT '',
        languages TEXT NOT NULL DEFAULT '',
        archived INTEGER NOT NULL DEFAULT 0
    )""",
    f"""CREATE TABLE service_category (
        id INTEGER PRIMARY KEY,
        service_id INTEGER NOT NULL REFERENCES service (id),
        category TEXT NOT NULL CHECK (category IN ({CATEGORIES})),
        UNIQUE (service_id, category)
    )""",
    """CREATE TABLE referral (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES case_file (id),
        service_id INTEGER NOT NULL REFERENCES service (id),
        referred_on TEXT NOT NULL,
        reason TEXT NOT NULL,
        information_shared TEXT NOT NULL DEFAULT '',
        shares_child_details INTEGER NOT NULL DEFAULT 0,
        basis TEXT NOT NULL DEFAULT '' CHECK (basis IN ('', 'consent', 'override', 'immediate_danger')),
        override_reason TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'acknowledged', 'service_given', 'closed',
            'withdrawn')),
        outcome TEXT NOT NULL DEFAULT '',
        days_from_report INTEGER NOT NULL CHECK (days_from_report >= 0),
        created_by INTEGER REFERENCES user_account (id),
        version INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX referral_case ON referral (case_id)",
    f"""CREATE TABLE protocol_text (
        id INTEGER PRIMARY KEY,
        category TEXT NOT NULL CHECK (category IN ({CATEGORIES})),
        language TEXT NOT NULL,
        who_to_call TEXT NOT NULL DEFAULT '',
        first_steps TEXT NOT NULL DEFAULT '',
        do_not TEXT NOT NULL DEFAULT '',
        refer_to TEXT NOT NULL DEFAULT '',
        UNIQUE (category, language)
    )""",
)
