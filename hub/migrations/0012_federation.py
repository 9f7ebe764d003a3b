"""Federation on the hub: its one state row (epoch, next sequence, the pinned aggregator, the last delivery
run) and the outbox of sealed bundles with their whole delivery state (federation.outbox)."""

STATEMENTS = (
    """CREATE TABLE federation_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        epoch TEXT NOT NULL CHECK (length(epoch) = 32),
        next_sequence INTEGER NOT NULL DEFAULT 1 CHECK (next_sequence >= 1),
        aggregator_url TEXT NOT NULL DEFAULT '',
        aggregator_id TEXT NOT NULL DEFAULT '',
        aggregator_key TEXT NOT NULL DEFAULT '',
        aggregator_key_id TEXT NOT NULL DEFAULT '',
        enrolled_at TEXT,
        last_run_at TEXT,
        last_outcome TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE outbox_bundle (
        id INTEGER PRIMARY KEY,
        hub_id TEXT NOT NULL CHECK (length(hub_id) = 32),
        epoch TEXT NOT NULL CHECK (length(epoch) = 32),
        sequence INTEGER NOT NULL CHECK (sequence >= 1),
        period TEXT NOT NULL,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        content BLOB NOT NULL,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'refused')),
        tries INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
        next_try_at TEXT,
        last_try_at TEXT,
        last_status INTEGER,
        last_error TEXT NOT NULL DEFAULT '',
        route TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'own' CHECK (origin IN ('own', 'relay')),
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        UNIQUE (hub_id, epoch, sequence),
        CHECK (state != 'delivered' OR delivered_at IS NOT NULL)
    )""",
    "CREATE INDEX outbox_bundle_due ON outbox_bundle (state, next_try_at)",
    "CREATE INDEX outbox_bundle_period ON outbox_bundle (origin, period, revision)",
)
