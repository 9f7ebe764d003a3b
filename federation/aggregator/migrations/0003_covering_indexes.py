"""Indexes that hold what the pages read of the kept rows, so a state's 50,000 villages are read from the
index alone, not from a table of a million rows.

The village table reads one figure of one month for every village (`hub_figure` by period and figure, with
its bounds, village and published text); the dashboard counts the months received and on time
(`monthly_summary` by period, with village and on_time); the data quality page counts the flags of the last
months per village (`quality_flag` by period, with village and kind). Each replaces the narrower index of the
same name and leading columns.
"""

STATEMENTS = (
    "DROP INDEX hub_figure_period_figure",
    "CREATE INDEX hub_figure_period_figure ON hub_figure (period, figure, lower, upper, hub_id, published)",
    "DROP INDEX monthly_summary_period",
    "CREATE INDEX monthly_summary_period ON monthly_summary (period, hub_id, on_time)",
    "DROP INDEX quality_flag_period",
    "CREATE INDEX quality_flag_period ON quality_flag (period, hub_id, kind)",
)
