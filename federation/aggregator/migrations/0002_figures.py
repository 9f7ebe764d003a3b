"""Figures kept per month and updated at ingest: each village's key figures, the district's sums, flags.

`hub_figure` holds one village's key figures of one month (federation.aggregator.figures.KEY_FIGURES),
`district_figure` the district's running sums of every figure of one month (added to at ingest, a
replaced revision subtracted), `quality_flag` what a mentor should look at, and the hub's counters
(first and last month received, months received and on time) make completeness one read per hub.
Keyed on figure names, not on a schema version's columns: any schema version's payload feeds them.
"""

STATEMENTS = (
    """CREATE TABLE hub_figure (
        hub_id VARCHAR(32) NOT NULL REFERENCES hub (id),
        period VARCHAR(7) NOT NULL,
        figure VARCHAR(120) NOT NULL,
        published VARCHAR(32),
        lower {real} NOT NULL,
        upper {real} NOT NULL,
        PRIMARY KEY (hub_id, period, figure)
    )""",
    "CREATE INDEX hub_figure_period_figure ON hub_figure (period, figure, lower)",
    """CREATE TABLE district_figure (
        period VARCHAR(7) NOT NULL,
        figure VARCHAR(120) NOT NULL,
        lower {real} NOT NULL,
        upper {real} NOT NULL,
        hubs {bigint} NOT NULL,
        PRIMARY KEY (period, figure)
    )""",
    """CREATE TABLE quality_flag (
        id {serial},
        hub_id VARCHAR(32) NOT NULL REFERENCES hub (id),
        period VARCHAR(7) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        figure VARCHAR(120) NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE UNIQUE INDEX quality_flag_hub_period_kind_figure ON quality_flag (hub_id, period, kind, figure)",
    "CREATE INDEX quality_flag_period ON quality_flag (period)",
    "ALTER TABLE hub ADD COLUMN first_period VARCHAR(7)",
    "ALTER TABLE hub ADD COLUMN last_period VARCHAR(7)",
    "ALTER TABLE hub ADD COLUMN months_received {bigint} NOT NULL DEFAULT 0",
    "ALTER TABLE hub ADD COLUMN months_on_time {bigint} NOT NULL DEFAULT 0",
)
