"""Password hashing (issue 23): what each scrypt parameter set costs, and the one the hub uses.

Run on its own with `python -m bench.hashing` (prints the rows as JSON lines).
"""

import hashlib
import json
import os
import time

# (N, r, p): werkzeug's default, the hub's choice, and the lighter and heavier neighbours.
CANDIDATES = ((2 ** 13, 8, 1), (2 ** 14, 8, 1), (2 ** 15, 8, 1), (2 ** 14, 8, 2), (2 ** 16, 8, 1))
TRIES = 5
SIGN_INS = 20
PI_SHARE = 0.25  # the Pi-like run's share of one core


def cost_ms(n, r, p):
    """The least CPU time of TRIES scrypt hashes with these parameters, in milliseconds."""
    best = None
    for _ in range(TRIES):
        began = time.process_time()
        hashlib.scrypt(b"123456", salt=os.urandom(16), n=n, r=r, p=p, maxmem=256 * 1024 * 1024)
        took = (time.process_time() - began) * 1000
        best = took if best is None else min(best, took)
    return best


def hashing(session=None):
    """One scrypt hash (hashlib, OpenSSL) per parameter set, the least CPU time of 5 on one core of this
    machine; the memory a hash takes (128 x N x r bytes); and what 20 sign-ins at once cost on the Pi-like core
    (25 % of one) with the hub's bounded pool of two hashes at a time, which on one capped core is the CPU of 20
    hashes. The hub's choice (`HASH_METHOD` in hub/auth/service.py) is marked. A Pi 3B+ core (Cortex-A53 at
    1.4 GHz, LPDDR2) is slower still at memory-hard work than the Pi-like core; with its four cores and the pool
    of two, 20 sign-ins take about 10 hashes' time."""
    from bench.measures import Row
    from hub.auth.service import HASH_METHOD

    chosen = tuple(int(part) for part in HASH_METHOD.split(":")[1:]) or (2 ** 15, 8, 1)
    rows = []
    for n, r, p in CANDIDATES:
        took = cost_ms(n, r, p)
        mark = " (the hub's choice)" if (n, r, p) == chosen else " (werkzeug's default)" if (n, r, p) == (
            2 ** 15, 8, 1) else ""
        rows.append(Row(f"scrypt N=2^{n.bit_length() - 1}, r={r}, p={p}{mark}: one hash", took, "ms",
                        note=f"{128 * n * r // 2 ** 20} MB a hash; 20 sign-ins on the Pi-like core: "
                             f"{took * SIGN_INS / PI_SHARE / 1000:.1f} s"))
    return rows


if __name__ == "__main__":
    for row in hashing():
        print(json.dumps({"label": row.label, "value": round(row.value, 1), "unit": row.unit, "note": row.note}))
