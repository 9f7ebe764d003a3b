"""Phonetic keys for names, so one name is found however it was romanised (Mohammad, Muhammed, Mohd).

Names in South Asia and Latin America reach the hub written by many hands: Lakshmi or Laxmi, Sita or
Seeta, José or Jose, Bikram or Vikram. `name_key()` folds a name to a key that such spellings share; it
is stored in Person.name_key. `key_similarity()` ranks search results; `same_name()` finds likely duplicates.

The key is deliberately coarse (every vowel sound is one letter): it is for finding candidates, never for
deciding that two records are one person; a person makes that call with the list in front of them.
"""

import re
import unicodedata
from difflib import SequenceMatcher

# Abbreviations that stand for a whole name.
WHOLE_WORDS = {"md": "mohammad", "mohd": "mohammad", "muhd": "mohammad", "mohmd": "mohammad"}

# Applied in order, each to the output of the ones before. Upper-case letters are placeholders that
# keep a sound apart until the rules that would otherwise swallow it have run.
REWRITES = (
    ("x", "ks"),                     # Laxmi / Lakshmi (sh becomes s below)
    ("ph", "f"),                     # Phulmati / Fulmati
    ("chh", "C"), ("ch", "C"),       # the "ch" of Chandra, Chavez: neither k nor s
    ("sh", "s"), ("zh", "j"),        # Shanti / Santi (Bengali writes either)
    ("qu", "k"), ("q", "k"), ("ck", "k"),     # Quispe / Kispe
    ("ce", "se"), ("ci", "si"), ("cy", "sy"), ("c", "k"),   # Cecilia / Sesilia, Carlos / Karlos
    ("h", ""),                       # aspirates (bh, dh, kh, th) and the silent h of Spanish and Arabic names
    ("w", "v"), ("v", "b"),          # Wasim / Vasim; Vikram / Bikram (Bengali and Spanish do not tell v from b)
    ("z", "j"),                      # Zahid / Jahid
    ("C", "c"),
)
VOWELS = re.compile(r"[aeiouy]+")
DOUBLES = re.compile(r"(.)\1+")


def fold(text):
    """Lower case without accents or other marks (José -> jose, Ñ -> n); letters of other scripts stay."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text):
    """The words of a text: runs of letters of any script with their marks (an Indic vowel sign is a mark)."""
    found, current = [], []
    for char in text:
        if unicodedata.category(char)[0] in "LM":
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    return found + (["".join(current)] if current else [])


def word_key(word):
    """The key of one folded word."""
    word = WHOLE_WORDS.get(word, word)
    if not word.isascii():
        return DOUBLES.sub(r"\1", word)  # another script: only doubled letters are folded
    if word.startswith("y") and len(word) > 1 and word[1] in "aeiou":
        word = "j" + word[1:]  # Yasmin / Jesmin, Yamuna / Jamuna
    for old, new in REWRITES:
        word = word.replace(old, new)
    word = VOWELS.sub("a", word)  # Sita / Seeta, Priya / Pria, Mohammad / Muhammed
    return DOUBLES.sub(r"\1", word)


def name_key(name):
    """The phonetic key of a name: one key per word, separated by spaces ("Mohd. Ali" -> "mamad ala")."""
    return " ".join(key for key in (word_key(word) for word in words(fold(name))) if key)


def _word_score(typed, word):
    if typed == word:
        return 1.0
    if word.startswith(typed):
        return 0.9  # the start of a name, typed to find it quickly
    return SequenceMatcher(None, typed, word).ratio()


def key_similarity(query_key, candidate_key):
    """0..1: how well every word of the query's key matches some word of the candidate's key."""
    typed, words = query_key.split(), candidate_key.split()
    if not typed or not words:
        return 0.0
    return sum(max(_word_score(one, word) for word in words) for one in typed) / len(typed)


def spelling_closeness(query, name):
    """0..1 on the folded letters as typed, to put the exact spelling first among equal keys."""
    return SequenceMatcher(None, fold(query), fold(name)).ratio()


def same_name(first, second, first_key=None, second_key=None):
    """0..1: how alike two names are, matching the words of the shorter name in the longer one."""
    first_key, second_key = first_key or name_key(first), second_key or name_key(second)
    if len(first_key.split()) > len(second_key.split()):
        first_key, second_key = second_key, first_key
    typed, words = first_key.split(), second_key.split()
    if not typed:
        return 0.0
    # No credit for a prefix here: "Ra" is not a duplicate of "Rani".
    return sum(max(1.0 if one == word else SequenceMatcher(None, one, word).ratio() for word in words)
               for one in typed) / len(typed)
