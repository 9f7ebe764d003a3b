"""A concern's reference: a short random code given to whoever reported it (with or without an account), with
which they later see the report's status. Only its SHA-256 is kept (hub.cases.concerns)."""

STATEMENTS = (
    "ALTER TABLE case_file ADD COLUMN reference_hash TEXT",
    "CREATE UNIQUE INDEX case_file_reference ON case_file (reference_hash) WHERE reference_hash IS NOT NULL",
)
