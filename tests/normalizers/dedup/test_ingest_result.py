"""What ingest hands the review workflow: the item as stored, so nothing needs reading back; and
the normalizers' refusals under one base class, reported in one line by run.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

import normalizers
from run import one_line
from tests.normalizers.dedup.conftest import make_item
from tests.normalizers.dedup.test_lifecycle import OTHER, STORY, TITLE


def _stored(db, result: normalizers.IngestResult) -> tuple:
    item = normalizers.get_item(db, result.item_id)
    return item["title"], item["text"], item["url"], item["withdrawn"]


def test_the_result_carries_the_item_as_stored_for_each_kind(db, ingest) -> None:
    item = make_item("harbin", identity="a1", title="【地市动态】" + TITLE, html=STORY)
    new = ingest(item)
    assert new.kind == "new" and new.title == TITLE  # the cleaned title, not the collected one
    assert (new.title, new.text, new.url, new.withdrawn) == _stored(db, new)
    version = ingest(replace(item, html=STORY + OTHER))
    assert version.kind == "version" and "全省重点项目" in version.text
    assert (version.title, version.text, version.url, version.withdrawn) == _stored(db, version)
    gone = ingest(replace(item, html=STORY + OTHER, withdrawn="HTTP 410 at x (2 checks in a row)"))
    assert gone.kind == "withdrawn" and gone.withdrawn == "HTTP 410 at x (2 checks in a row)"
    assert gone.text == version.text  # the text stays as it was
    replayed = ingest(item, collected_id=1)  # the same hand-over again: the item as it is now
    assert (replayed.title, replayed.text, replayed.withdrawn) == (TITLE, version.text, gone.withdrawn)


def test_a_normalizer_refusal_is_a_normalizer_error_in_one_line(db) -> None:
    with pytest.raises(normalizers.NormalizerError) as caught:
        normalizers.tombstone(db, 424242, "rejected")
    assert isinstance(caught.value, normalizers.UnknownItem)
    assert one_line(caught.value) == "item 424242: not stored"  # no class-name prefix
