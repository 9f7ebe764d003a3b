"""Records people can trust: the risk a referral was made under (the consent exception follows it), and
the review flag and plausible ranges of savings entries."""

STATEMENTS = (
    "ALTER TABLE referral ADD COLUMN risk_at_referral TEXT NOT NULL DEFAULT ''",
)
