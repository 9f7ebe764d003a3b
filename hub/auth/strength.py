"""How strong a PIN or password must be: the one place that refuses secrets that are easy to guess.

A hub's accounts sign in from shared phones on an open village Wi-Fi, and the throttle only slows guessing:
what it cannot stop is a first guess that is right. So a secret is refused when it is among the first
anyone would try: a PIN of repeated, paired or sequential digits or on the shipped list of common PINs; a
password on the shipped list of common passwords (`common-secrets.txt`), or such a word with digits or
signs added ("password12", "Welcome2024!"), a run along the keyboard or the alphabet, or one with fewer than
four different characters; and any secret that contains the username. `problem()` says why in words.
"""

import re
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

RULE = _l("Not an easy guess: no repeated or sequential digits such as 000000 or 123456, no common password, "
          "and not your username.")
COMMON_FILE = Path(__file__).with_name("common-secrets.txt")
# Rows of the alphabet and of a phone's or a laptop's keyboard, read either way.
RUNS = ("0123456789", "1234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm",
        "1qaz2wsx3edc4rfv")
MIN_DISTINCT = 4
TRIM = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def common_secrets():
    """The shipped list of common PINs, passwords and words, lower case."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_run(text):
    """Whether text goes along a row of the keyboard or the alphabet (either way), e.g. 123456, fedcba."""
    return len(text) >= 3 and any(text in run or text in run[::-1] for run in RUNS)


def _repeats_a_pattern(text):
    """Whether text is one short piece said again: 121212, 123123, abcabcabc."""
    return any(len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in (1, 2, 3))


def problem(secret, username=""):
    """Why secret is too easy to guess, in words; None when it is not."""
    lowered = secret.lower()
    if username and len(username) >= 3 and username.lower() in lowered:
        return _l("It must not contain the username.")
    if secret.isdigit():
        if (lowered in common_secrets() or _is_run(secret) or _repeats_a_pattern(secret)
                or len(set(secret)) <= 2):
            return _l("This PIN is one of the first anyone would try: avoid repeated, paired and sequential "
                      "digits.")
        return None
    if lowered in common_secrets() or TRIM.sub("", lowered) in common_secrets():
        return _l("This is a common password, or a common word with digits added: choose a phrase of your own.")
    if _is_run(lowered) or _repeats_a_pattern(lowered) or len(set(lowered)) < MIN_DISTINCT:
        return _l("This password is a run of keys or letters, or repeats itself: choose a phrase of your own.")
    return None
