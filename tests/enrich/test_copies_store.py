"""The copies step against the SQLite copy index: staged writes, one flush per batch, and times
read from an age ranking below printed times."""

from __future__ import annotations

import pytest

from newsdesk.enrich.copies import CopiesEnricher, MemoryCopyIndex
from newsdesk.store import open_store
from tests.enrich.test_copies import WIRE, reprint, trimmed, wire


@pytest.fixture
def store(db_url):
    with open_store(db_url) as s:
        yield s


def _originals(store) -> dict[str, str | None]:
    return {a.id: a.duplicate_of for a in store.iter_articles()}


def test_writes_wait_for_the_batch_save_and_lookups_see_them_meanwhile(store):
    index, step = store.copy_index(), CopiesEnricher()
    batch = [wire(outlet="Korea Times"), reprint(WIRE, "copy")]
    step.enrich(batch, store)
    assert batch[1].duplicate_of == "wire"  # the second found the first in the overlay
    assert index.pending == 2
    # Nothing is in the tables yet: a second store on the same file sees no entry.
    with open_store(store.url) as other:
        assert other.copy_index().get("wire") is None
    store.save_articles(batch)
    assert index.pending == 0
    with open_store(store.url) as other:
        assert other.copy_index().get("copy").duplicate_of == "wire"
    assert _originals(store) == {"wire": None, "copy": "wire"}


def test_a_discarded_batch_leaves_the_index_as_it_was(store):
    step = CopiesEnricher()
    first = [wire(outlet="Korea Times")]
    step.enrich(first, store)
    store.save_articles(first)
    failed = [reprint(WIRE, "early", published_at="2026-11-28T07:00:00+09:00")]
    step.enrich(failed, store)
    assert step.swaps == [("wire", "early")]
    assert store.copy_index().get("wire").duplicate_of == "early"  # staged repoint
    store.discard_pending()
    assert store.copy_index().get("early") is None
    assert store.copy_index().get("wire").duplicate_of is None


def test_a_repoint_moves_stored_originals_and_their_copies_when_the_batch_is_saved(store):
    step = CopiesEnricher()
    first = [wire(id="late", outlet="Korea Herald", published_at="2026-11-28T10:00:00+09:00"),
             reprint(WIRE, "copy", published_at="2026-11-28T11:00:00+09:00")]
    step.enrich(first, store)
    store.save_articles(first)
    early = [reprint(trimmed(WIRE, 1), "early", outlet="Seoul Ledger",
                     published_at="2026-11-28T00:30:00+00:00")]
    step.enrich(early, store)
    assert step.swaps == [("late", "early")]
    store.save_articles(early)
    assert _originals(store) == {"late": "early", "copy": "early", "early": None}
    index = store.copy_index()
    assert {i: index.get(i).duplicate_of for i in ("late", "copy", "early")} == \
        {"late": "early", "copy": "early", "early": None}


def _age_read(article_id: str, published_at: str):
    return reprint(trimmed(WIRE, 1), article_id, outlet="Capital Daily", credit="Yonhap",
                   published_at=published_at, published_approximate=True)


@pytest.mark.parametrize("age_first", [True, False], ids=["age-read-first", "printed-first"])
@pytest.mark.parametrize("engine", ["memory", "sqlite"])
def test_a_time_read_from_an_age_never_outranks_a_printed_time(store, engine, age_first):
    # "2 days ago" read at 09:00 gives 09:00 two days back: earlier than the printed 16:05,
    # though the reprint can only follow the wire story.
    printed = wire(outlet="The Seoul Ledger", published_at="2026-11-26T16:05:00+09:00")
    aged = _age_read("aged", "2026-11-26T09:00:00+09:00")
    order = [aged, printed] if age_first else [printed, aged]
    step = CopiesEnricher()
    if engine == "memory":
        index = MemoryCopyIndex()
        for article in order:
            step.add(article, index)
        originals = index.originals()
    else:
        for article in order:  # one batch each: the incumbent is read back from the tables
            step.enrich([article], store)
            store.save_articles([article])
        originals = _originals(store)
        assert store.copy_index().get("aged").approximate is True
        assert store.copy_index().get("aged").published_at == "2026-11-26T09:00:00+09:00"
    assert originals == {"wire": None, "aged": "wire"}


def test_between_two_times_read_from_ages_the_earlier_is_the_original():
    index, step = MemoryCopyIndex(), CopiesEnricher()
    step.add(_age_read("later", "2026-11-27T09:00:00+09:00"), index)
    step.add(reprint(WIRE, "earlier", outlet="Han River Times", published_at="2026-11-26T09:00:00+09:00",
                     published_approximate=True), index)
    assert index.originals() == {"later": "earlier", "earlier": None}
