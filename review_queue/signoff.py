"""Sign-off chains: which roles must approve an item after its first approval, and why.

A column's ``signoff`` lists the roles of the levels after 初审 (e.g. ``("editor",)`` for 终审,
``("editor", "admin")`` for 科室复审 → 领导终审). The chain in force for an item is the stricter of
its floor column's chain (the column it was routed to, unless an editor moved it out with a
reason) and the chain of the column it is in now: moving an item never escapes a sign-off.
"""

from __future__ import annotations

from typing import Any

from review_queue.overlay import column_in_effect
from review_queue.workflow import ROLE_RANK
from settings.model import signoff_level_names


def column_chain(column: str | None, config: Any) -> tuple[str, ...]:
    """The sign-off roles of *column* in *config* (none without a configuration or column)."""
    if config is None or column is None:
        return ()
    col = config.columns.get(column)
    return tuple(col.signoff) if col is not None else ()


def stricter(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """A chain at least as strict as both: as many levels as the longer, each level (aligned from
    the final one) needing the higher of the two roles."""
    n = max(len(a), len(b))
    pa, pb = ("",) * (n - len(a)) + tuple(a), ("",) * (n - len(b)) + tuple(b)
    return tuple(x if ROLE_RANK.get(x, 0) >= ROLE_RANK.get(y, 0) else y for x, y in zip(pa, pb, strict=True))


def is_weaker(new: tuple[str, ...], old: tuple[str, ...]) -> bool:
    """Whether moving from chain *old* to chain *new* would drop a level or lower a role."""
    return stricter(old, new) != tuple(new)


def floor_column(row: dict[str, Any]) -> str | None:
    """The column whose chain the item must satisfy wherever it is moved."""
    return row.get("chain_column") or row.get("routed_column")


def chain_in_force(row: dict[str, Any], config: Any, column: str | None = None) -> tuple[str, ...]:
    """The roles that must sign off *row* in *column* (default: the column in effect), never fewer
    than those fixed at its first approval."""
    here = column if column is not None else column_in_effect(row)
    chain = stricter(column_chain(floor_column(row), config), column_chain(here, config))
    if row.get("state") == "awaiting-signoff":
        chain = stricter(tuple(row.get("signoff_roles") or ()), chain)
    return chain


def level_names(row: dict[str, Any], chain: tuple[str, ...], config: Any) -> tuple[str, ...]:
    """What each level of *chain* is called, from the column in effect where it names them."""
    col = config.columns.get(column_in_effect(row)) if config is not None else None
    names = col.signoff_names if col is not None and tuple(col.signoff) == tuple(chain) else ()
    return signoff_level_names(chain, names)
