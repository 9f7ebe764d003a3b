"""`district_pending`: what the bundles taken in still have to add to `district_figure` (PostgreSQL).

On PostgreSQL a bundle's transaction appends its changes to the district's sums here as one row (its month,
and a JSON array of [figure, lower, upper, hubs]), with no key to look up and no row another bundle writes:
bundles of the same month, which the villages all send in the same days, no longer queue on that month's
`district_figure` rows until each other's commit, and the server writes one row where it updated a hundred.
Every so often one statement moves the rows into `district_figure` (`kept.fold`); until then the pages add
them in. No index: the table holds a few dozen rows and is read whole. SQLite takes one writer at a time and
adds to `district_figure` in place, leaving this table empty.
"""

STATEMENTS = (
    """CREATE TABLE district_pending (
        period VARCHAR(7) NOT NULL,
        deltas {json} NOT NULL
    )""",
)
