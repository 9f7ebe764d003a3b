"""Records people can trust: the risk a referral was made under (the consent exception follows it), and
the review flag and plausible ranges of savings entries."""

STATEMENTS = (
    "ALTER TABLE referral ADD COLUMN risk_at_referral TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE savings_entry ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1))",
    "ALTER TABLE savings_cycle ADD COLUMN plausible_max INTEGER CHECK (plausible_max IS NULL OR plausible_max > 0)",
)
