"""Stories that may be the same as an item's, though the matcher kept them apart: the reviewer's call.

The matcher joins a re-post only on evidence that holds against the hard negatives (another year's
meeting, a follow-up quoting a notice). Some re-posts stay below it: a summary page quoting two
sentences of the story amid its own words, a card with its own lead, a page that quotes the opening
and goes on with other news (measured on the hand-labelled real set: bench/dedup/real.py prints
how many of its missed pages have their story suggested here, and how many look-alike pages get a
wrong suggestion). Such an item is shown its possible matches on the review desk, where an editor
merges it in one step — nothing is merged here.

Read-only: candidates come from the same index as matching (dedup_lsh), verified the same way.
A candidate whose lead names another day, session or place, or that is a later notice opening with
a day of its own, is not suggested (measured on dated generated items too: bench/dedup prints how
many get a story not theirs, by hard-negative kind).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from normalizers.clusters import (
    CONTAINMENT_MIN,
    LEAD_CHARS,
    MIN_BODY_CHARS,
    Fingerprint,
    _candidates,
    _follow_up,
    lead_token_missing,
    publish_distance,
)
from normalizers.keys import guard_tokens, minhash, shingles

SUGGEST_SHARED = 60  # shingles (≈ characters) in common: two sentences of a story, not a formula
SUGGEST_CONTAINMENT = 0.3  # … and at least this part of the shorter text
SUGGEST_LIMIT = 5
SUGGEST_DAYS = 7  # a re-post comes within days of its story; the same meeting a year later does not


def _lead_day_conflict(a: str, b: str, days: frozenset[str]) -> bool:
    """Whether the shorter text's lead names a day, an ordinal (第N次, N届) or a place the longer one
    lacks (another meeting, another country's premier): its own numbers may be a summary's own, its
    day, session and place are the story's."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return lead_token_missing(guard_tokens(short, lead=LEAD_CHARS), long_, days) is not None


@dataclass(frozen=True)
class PossibleMatch:
    """A stored item of another story that shares a stretch of text with the item."""

    item_id: int
    cluster_id: int | None
    containment: float  # of the shorter text in the longer one, 0–1
    shared: int  # shingles the two share: about as many characters


def possible_matches(db: sqlite_utils.Database, item_id: int, *, limit: int = SUGGEST_LIMIT) -> list[PossibleMatch]:
    """Items of other stories that may be this one's: most of the shorter text first."""
    row = db.conn.execute(
        "SELECT d.body_key, i.cluster, i.published_at FROM dedup_docs d JOIN items i ON i.id = d.item_id "
        "WHERE d.item_id = ?", [item_id]).fetchone()
    if row is None or len(row[0] or "") < MIN_BODY_CHARS:
        return []
    body_key, cluster, published_at = row
    sh = shingles(body_key)
    fp = Fingerprint("", body_key, sh, minhash(sh))
    cands = _candidates(db, fp, item_id)
    if not cands:
        return []
    marks = ",".join("?" * len(cands))
    out: list[PossibleMatch] = []
    for other, other_cluster, other_body, pub in db.conn.execute(
            f"SELECT d.item_id, i.cluster, d.body_key, i.published_at FROM dedup_docs d "
            f"JOIN items i ON i.id = d.item_id WHERE d.item_id IN ({marks})", cands):
        if cluster is not None and other_cluster == cluster:
            continue
        theirs = shingles(other_body or "")
        shared = len(sh & theirs)
        if shared < SUGGEST_SHARED:
            continue
        containment = shared / min(len(sh), len(theirs))
        if containment < SUGGEST_CONTAINMENT:
            continue
        apart, days = publish_distance(published_at, pub)
        if apart > SUGGEST_DAYS and containment < CONTAINMENT_MIN or _follow_up(body_key, other_body or "", dateless=True):
            # another year's meeting, a notice days later opening with its own day and quoting this one:
            # their own stories (the same words a year apart, which the matcher never joins, are shown)
            continue
        if _lead_day_conflict(body_key, other_body or "", days):
            continue  # the lead names another day, session or place (the same template, another story)
        out.append(PossibleMatch(other, other_cluster, round(containment, 3), shared))
    out.sort(key=lambda m: (-m.containment, -m.shared, -m.item_id))
    return out[:limit]
