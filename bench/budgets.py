"""Every budget the bench checks, in one table: a new measure adds its row here and names its key."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """A limit on one figure; a ceiling unless at_least (a rate that must be reached)."""

    limit: float
    unit: str
    at_least: bool = False

    def describe(self):
        """The budget as shown in the report, e.g. '≤ 2 s'."""
        return f"{'≥' if self.at_least else '≤'} {self.limit:g} {self.unit}".rstrip()

    def met_by(self, value):
        """True when value keeps within the budget."""
        return value >= self.limit if self.at_least else value <= self.limit


# Units: KB is 1024 bytes and MB is 1024 KB, as /proc and `top` on the Pi count them.
BUDGETS = {
    "summary_build_s": Budget(1.0, "s"),           # issue 7: summary.build of one month, 5 years of a village
    "bundle_bytes": Budget(8192, "bytes"),         # issue 7: the signed bundle of that month
    "disclosure_error_pct": Budget(5, "%"),        # issue 19: worst district total error, totals of 100+
    "disclosure_indicator_error_pct": Budget(5, "%"),  # issue 19: each indicator's district total error, 100+
    "summary_audit_s": Budget(1.0, "s"),           # issue 19: a month with the linked audit, 5 years released
    "aggregator_ingest_per_s": Budget(200, "bundles/s", at_least=True),  # issue 7: SQLite, one process
    "aggregator_dashboard_p95_ms": Budget(300, "ms"),  # issue 25: each district page, 5,000 villages x 24 months
    "aggregator_first_view_ratio": Budget(3.0, "×"),   # issue 25: first view after a start over a warm one
    "aggregator_page_kb": Budget(150, "KB"),           # issue 25: HTML of each district page
    "startup_s": Budget(2.0, "s"),                 # spawn to the first 200 from /healthz, slowest start
    "rss_idle_mb": Budget(50, "MB"),               # issue 23: resident memory right after start
    "rss_after_load_mb": Budget(70, "MB"),         # issue 23: resident memory after the load phase
    "home_p95_ratio": Budget(3.0, "×"),            # visitor home p95 over hello world's p95, 10 clients, one core
    # Issue 23: server CPU per request over hello world's, measured in the same rounds (bench/roles.py).
    "visitor_cpu_ratio": Budget(3.0, "×"),         # the visitor's home page
    "page_cpu_ratio": Budget(10.0, "×"),           # every page of each role's everyday path (goal: 5x)
    "big_page_cpu_ratio": Budget(25.0, "×"),       # the group page and roster of a group of 1,000 children
    "roster_p95_ratio": Budget(2.0, "×"),          # issue 4: roster of 80 p95 over the facilitator's home page p95
    "roster_page_kb": Budget(15, "KB"),            # issue 4: HTML of the roster page for a group of 80
    "roster_transfer_kb": Budget(6, "KB"),         # issue 23: the same page as transferred, compressed
    "roster_save_p95_ms": Budget(50, "ms"),        # issue 4: saving a roster of 80 in one POST, one core
    "passbook_p95_ratio": Budget(2.0, "×"),        # issue 6: a passbook of 3 years p95 over the member's home p95
    "ledger_p95_ratio": Budget(2.0, "×"),          # issue 6: the group ledger of 3 years p95 over the same
    "first_page_kb": Budget(30, "KB"),             # bodies a browser downloads for the first page, as transferred
    "first_page_external": Budget(0, "references"),  # DESIGN: a page loads nothing from outside the hub
    # Issue 23: the Pi-like run, the hub on 25 % of one core, 5 concurrent clients.
    "pi_home_p95_ms": Budget(400, "ms"),           # the facilitator's home page
    "pi_roster_p95_ms": Budget(400, "ms"),         # the roster of 80
    "pi_big_group_p95_ms": Budget(1000, "ms"),     # the group page of 1,000 children
    "pi_sign_ins_s": Budget(15, "s"),              # 20 sign-ins at once, all signed in
    "big_seed_cpu_s": Budget(30, "s"),             # issue 23: `seed-demo --children 2000 --years 5`, CPU time
    "offline_scripts_kb": Budget(15, "KB"),        # issue 24: service worker + outbox script, gzipped
    "offline_no_js_delta_bytes": Budget(128, "bytes"),  # issue 24: HTML the two offline tags add (no request)
}


def verdict(key, value):
    """'pass', 'fail', 'not available' (no value) or '' (a figure with no budget) for one row."""
    if value is None:
        return "not available"
    if key is None:
        return ""
    return "pass" if BUDGETS[key].met_by(value) else "fail"
