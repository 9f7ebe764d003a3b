"""Hubs and their keys, enrolment codes, every bundle received, each hub's latest month, and admins."""

STATEMENTS = (
    """CREATE TABLE hub (
        id VARCHAR(32) PRIMARY KEY,
        name TEXT NOT NULL,
        reported_name TEXT NOT NULL DEFAULT '',
        public_key TEXT NOT NULL,
        key_id VARCHAR(16) NOT NULL,
        enrolled_at {timestamp} NOT NULL,
        revoked_at {timestamp},
        last_received_at {timestamp}
    )""",
    "CREATE INDEX hub_key_id ON hub (key_id)",
    """CREATE TABLE enrolment_code (
        code_hash VARCHAR(64) PRIMARY KEY,
        hub_name TEXT NOT NULL,
        created_at {timestamp} NOT NULL,
        expires_at {timestamp} NOT NULL,
        used_at {timestamp},
        hub_id VARCHAR(32) REFERENCES hub (id)
    )""",
    "CREATE INDEX enrolment_code_hub_id ON enrolment_code (hub_id)",
    """CREATE TABLE bundle (
        id {serial},
        hub_id VARCHAR(32) NOT NULL REFERENCES hub (id),
        epoch VARCHAR(32) NOT NULL,
        sequence {bigint} NOT NULL,
        period VARCHAR(7) NOT NULL,
        revision {bigint} NOT NULL,
        schema_version {bigint} NOT NULL,
        sha256 VARCHAR(64) NOT NULL,
        content {blob} NOT NULL,
        received_at {timestamp} NOT NULL,
        route VARCHAR(8) NOT NULL
    )""",
    "CREATE UNIQUE INDEX bundle_hub_epoch_sequence ON bundle (hub_id, epoch, sequence)",
    "CREATE INDEX bundle_hub_period ON bundle (hub_id, period)",
    """CREATE TABLE monthly_summary (
        id {serial},
        hub_id VARCHAR(32) NOT NULL REFERENCES hub (id),
        period VARCHAR(7) NOT NULL,
        revision {bigint} NOT NULL,
        schema_version {bigint} NOT NULL,
        bundle_id {bigint} NOT NULL REFERENCES bundle (id),
        payload TEXT NOT NULL,
        received_at {timestamp} NOT NULL,
        on_time {bool} NOT NULL
    )""",
    "CREATE UNIQUE INDEX monthly_summary_hub_period ON monthly_summary (hub_id, period)",
    "CREATE INDEX monthly_summary_period ON monthly_summary (period)",
    """CREATE TABLE admin (
        id {serial},
        username VARCHAR(64) NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        display_name TEXT NOT NULL,
        language VARCHAR(8) NOT NULL DEFAULT '',
        active {bool} NOT NULL DEFAULT {true},
        created_at {timestamp} NOT NULL
    )""",
)
