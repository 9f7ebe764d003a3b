"""People, their group memberships, the curriculum, sessions and meetings, attendance, volunteers' skills."""

STATEMENTS = (
    """CREATE TABLE person (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        sex TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other')),
        birth_year INTEGER,
        age_band TEXT NOT NULL DEFAULT '',
        school_status TEXT NOT NULL DEFAULT 'unknown',
        guardian TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        hamlet TEXT NOT NULL DEFAULT '',
        consent_by TEXT NOT NULL DEFAULT '',
        consent_on TEXT,
        archived INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        CHECK (birth_year IS NOT NULL OR age_band != '')
    )""",
    "CREATE INDEX person_name_key ON person (name_key)",
    """CREATE TABLE group_member (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES community_group (id),
        person_id INTEGER NOT NULL REFERENCES person (id),
        role TEXT NOT NULL DEFAULT 'member'
            CHECK (role IN ('chair', 'secretary', 'treasurer', 'captain', 'mentor', 'member')),
        joined_on TEXT NOT NULL,
        left_on TEXT,
        CHECK (left_on IS NULL OR left_on >= joined_on)
    )""",
    "CREATE INDEX group_member_group ON group_member (group_id, left_on)",
    "CREATE INDEX group_member_person ON group_member (person_id)",
    """CREATE TABLE topic (
        id INTEGER PRIMARY KEY,
        code TEXT UNIQUE,
        position INTEGER NOT NULL DEFAULT 0,
        archived INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE topic_text (
        id INTEGER PRIMARY KEY,
        topic_id INTEGER NOT NULL REFERENCES topic (id),
        language TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        UNIQUE (topic_id, language)
    )""",
    """CREATE TABLE meeting (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES community_group (id),
        kind TEXT NOT NULL CHECK (kind IN ('life_skills', 'volunteer_training', 'parent_meeting',
            'parenting_workshop', 'group_meeting', 'awareness_event', 'committee_meeting', 'duty_bearer_meeting')),
        starts_at TEXT NOT NULL,
        place TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held', 'cancelled')),
        created_by INTEGER REFERENCES user_account (id),
        created_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX meeting_group_start ON meeting (group_id, starts_at)",
    "CREATE INDEX meeting_start ON meeting (starts_at)",
    """CREATE TABLE meeting_topic (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meeting (id),
        topic_id INTEGER NOT NULL REFERENCES topic (id),
        UNIQUE (meeting_id, topic_id)
    )""",
    """CREATE TABLE meeting_facilitator (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meeting (id),
        user_id INTEGER NOT NULL REFERENCES user_account (id),
        UNIQUE (meeting_id, user_id)
    )""",
    "CREATE INDEX meeting_facilitator_user ON meeting_facilitator (user_id)",
    """CREATE TABLE attendance (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meeting (id),
        person_id INTEGER NOT NULL REFERENCES person (id),
        status TEXT NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
        UNIQUE (meeting_id, person_id)
    )""",
    "CREATE INDEX attendance_person ON attendance (person_id)",
    """CREATE TABLE guest_count (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meeting (id),
        sex TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other')),
        age_band TEXT NOT NULL,
        count INTEGER NOT NULL CHECK (count > 0 AND count <= 10000),
        UNIQUE (meeting_id, sex, age_band)
    )""",
    """CREATE TABLE volunteer_skill (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES user_account (id),
        topic_id INTEGER NOT NULL REFERENCES topic (id),
        trained_on TEXT NOT NULL,
        meeting_id INTEGER REFERENCES meeting (id),
        UNIQUE (user_id, topic_id, trained_on)
    )""",
)
