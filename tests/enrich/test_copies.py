"""Copy detection: what counts as a copy, what does not, originals, and the persisted signature."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from newsdesk.enrich import Enricher
from newsdesk.enrich.copies import (
    BANDS,
    LEDE_BANDS,
    NUM_PERM,
    CopiesEnricher,
    CopySignature,
    MemoryCopyIndex,
    estimate_overlap,
    exact_key,
    find_original,
    from_bytes,
    normalize_for_copies,
    signature,
    to_bytes,
)
from newsdesk.models import Article

WIRE = """SEOUL, Nov. 28 (Yonhap) -- North Korea fired a short-range ballistic missile into the East Sea on
Thursday, the South's Joint Chiefs of Staff said, the third launch this month as Pyongyang
protests joint naval drills by Seoul and Washington.

The missile was launched from the Sunan area of Pyongyang at around 7:40 a.m. and flew about 600
kilometers before falling into waters outside Japan's exclusive economic zone, the JCS said in a
text message to reporters.

"Our military has strengthened surveillance and vigilance in preparation for additional launches
and is maintaining a full readiness posture while closely sharing information with the United
States and Japan," the JCS said.

Japan's defense ministry said the missile reached a maximum altitude of about 50 kilometers and
that no damage to ships or aircraft had been reported. Tokyo lodged a protest through diplomatic
channels in Beijing.

The launch came a day after the North's defense ministry warned of "overwhelming countermeasures"
against the drills, which involve a U.S. aircraft carrier and are set to run through Saturday.

Analysts said the North appears to be testing a solid-fuel design that can be fired at short
notice, making launches harder to detect in advance. (Yonhap)"""

# Written independently about the same launch: same facts, same JCS quote, other sentences.
OTHER = """North Korea launched a ballistic missile on Thursday morning, South Korea's military said, in what
officials described as a direct response to the large-scale naval exercises now under way off the
peninsula.

The Joint Chiefs of Staff in Seoul did not say what type of missile was fired, but Japanese
officials said it flew some 600 kilometers. It was the third such test in November.

"Our military has strengthened surveillance and vigilance in preparation for additional launches
and is maintaining a full readiness posture while closely sharing information with the United
States and Japan," the JCS said.

The exercises, the largest in five years, have drawn repeated threats from Pyongyang, whose state
media called them a rehearsal for invasion. Washington says they are purely defensive.

Prime Minister officials in Tokyo convened a security meeting and said they would keep watching
the North's activity with the utmost vigilance."""


def wire(**changes) -> Article:
    base = Article(title="N. Korea fires ballistic missile into East Sea", text=WIRE, id="wire",
                   outlet="Yonhap", credit="Yonhap", published_at="2026-11-28T08:10:00+09:00")
    return replace(base, **changes)


def reprint(text: str, id: str, **changes) -> Article:
    base = Article(title="North Korea launches missile, third this month", text=text, id=id,
                   outlet="Korea Herald", credit="Yonhap",
                   published_at="2026-11-28T09:30:00+09:00")
    return replace(base, **changes)


def trimmed(text: str, drop: int) -> str:
    return "\n\n".join(text.split("\n\n")[:-drop])


def indexed(*articles: Article) -> MemoryCopyIndex:
    index, step = MemoryCopyIndex(), CopiesEnricher()
    for article in articles:
        step.add(article, index)
    return index


def original_of(article: Article, index: MemoryCopyIndex) -> str | None:
    sig = signature(article)
    assert sig is not None
    return find_original(article, sig, index)


# -- what is a copy --------------------------------------------------------------------------


def test_exact_reprint_under_another_headline_is_a_copy_with_the_same_exact_key():
    copy = reprint(WIRE, "copy")
    assert exact_key(copy) == exact_key(wire())
    assert original_of(copy, indexed(wire())) == "wire"


def test_outlet_line_byline_and_quote_style_do_not_change_the_exact_key():
    text = "By Kim Soo-yeon\n\n" + WIRE.replace('"', "\u201c", 1) + (
        "\n\nThis article was provided by Yonhap News Agency.")
    assert exact_key(reprint(text, "copy")) == exact_key(wire())


def test_trimmed_reprint_with_copy_edits_is_a_copy():
    text = trimmed(WIRE, 2).replace("said in a\ntext message to reporters", "told reporters")
    text = text.replace("Japan's defense", "Japan's defence")
    assert text.count("told reporters") == 1 and "defence" in text
    copy = reprint(text, "copy")
    assert exact_key(copy) != exact_key(wire())
    assert original_of(copy, indexed(wire())) == "wire"


def test_reprint_with_an_added_paragraph_of_outlet_boilerplate_is_a_copy():
    text = WIRE + ("\n\nThe Korea Herald has covered the peninsula since 1953. Our reporting is "
                   "supported by readers like you; every contribution helps keep it free.")
    assert original_of(reprint(text, "copy"), indexed(wire())) == "wire"


def test_different_article_on_the_same_event_with_the_same_quote_is_not_a_copy():
    other = reprint(OTHER, "other", outlet="Seoul Ledger", credit=None)
    assert original_of(other, indexed(wire())) is None
    assert original_of(wire(id="wire2"), indexed(other)) is None


def test_texts_under_the_minimum_length_have_no_signature():
    assert signature(wire(text="North Korea fired a missile on Thursday, the JCS said.")) is None
    assert signature(wire(text=" ".join(["word"] * 200))) is not None


def test_normalisation_drops_byline_dateline_credit_and_boilerplate_and_folds_quotes():
    text = ("By Jane Doe\n\nWASHINGTON (AP) \u2014 The \u201cdeal\u201d is done, he said. (AP)"
            "\n\nSign up for our newsletter.")
    assert normalize_for_copies(text) == 'the "deal" is done, he said.'


# -- originals -------------------------------------------------------------------------------


def test_copy_of_a_copy_resolves_to_the_root_original():
    first = reprint(trimmed(WIRE, 1), "first")
    second = reprint(trimmed(WIRE, 2), "second")
    index = indexed(wire(), first, second)
    assert index.originals() == {"wire": None, "first": "wire", "second": "wire"}


def test_an_earlier_article_takes_over_as_original_and_the_swap_is_reported():
    late = wire(id="late", outlet="Korea Herald", published_at="2026-11-28T10:00:00+09:00")
    early = reprint(trimmed(WIRE, 1), "early", outlet="Seoul Ledger",
                    published_at="2026-11-28T00:30:00+00:00")  # 09:30 in Seoul
    copy = reprint(WIRE, "copy", published_at="2026-11-28T11:00:00+09:00")
    index, step = MemoryCopyIndex(), CopiesEnricher()
    for article in (late, copy, early):
        step.add(article, index)
    assert step.swaps == [("late", "early")]
    assert (late.duplicate_of, copy.duplicate_of, early.duplicate_of) == ("early", "early", None)
    assert index.originals() == {"late": "early", "copy": "early", "early": None}


def test_the_wire_agency_article_is_the_original_even_when_published_later():
    early = reprint(WIRE, "reprint", published_at="2026-11-28T07:00:00+09:00")
    index, step = MemoryCopyIndex(), CopiesEnricher()
    step.add(early, index)
    step.add(wire(), index)  # outlet Yonhap, published 08:10
    assert step.swaps == [("reprint", "wire")]
    assert index.originals() == {"reprint": "wire", "wire": None}


def test_a_later_copy_does_not_take_over():
    index, step = MemoryCopyIndex(), CopiesEnricher()
    step.add(wire(outlet="Korea Times"), index)
    step.add(reprint(WIRE, "copy"), index)
    assert step.swaps == [] and index.originals() == {"wire": None, "copy": "wire"}


# -- the enrichment step ---------------------------------------------------------------------


class FakeStore:
    def __init__(self) -> None:
        self.index = MemoryCopyIndex()

    def copy_index(self) -> MemoryCopyIndex:
        return self.index


def test_enricher_sets_duplicate_of_through_the_store_copy_index():
    store, step = FakeStore(), CopiesEnricher()
    batch = [wire(), reprint(WIRE, "copy"), reprint(OTHER, "other")]
    step.enrich(batch, store)  # type: ignore[arg-type]
    assert isinstance(step, Enricher) and step.name == "copies"
    assert [a.duplicate_of for a in batch] == [None, "wire", None]
    later = [reprint(trimmed(WIRE, 1), "later")]
    step.enrich(later, store)  # type: ignore[arg-type]
    assert later[0].duplicate_of == "wire" and len(store.index) == 4


def test_enricher_without_a_store_leaves_articles_alone():
    copy = reprint(WIRE, "copy", duplicate_of="x")
    CopiesEnricher().enrich([wire(), copy], None)
    assert copy.duplicate_of == "x"


def test_an_article_seen_again_is_not_its_own_copy():
    index = indexed(wire())
    assert original_of(wire(), index) is None
    CopiesEnricher().add(wire(), index)
    assert index.originals() == {"wire": None}


# -- the persisted signature -----------------------------------------------------------------


@pytest.mark.parametrize("text", [WIRE, WIRE + "\n\n" + OTHER], ids=["exact set kept", "long"])
def test_signature_round_trips_through_bytes(text):
    sig = signature(wire(text=text))
    assert sig is not None
    assert sig.minhash.dtype == np.uint64 and sig.minhash.shape == (NUM_PERM,)
    assert len(sig.bands) == BANDS + LEDE_BANDS and all(":" in b for b in sig.bands)
    back = from_bytes(to_bytes(sig))
    assert back == sig and back.bands == sig.bands
    assert bool(sig.shingles) == (text == WIRE)


def test_a_blob_of_another_format_is_rejected():
    blob = to_bytes(signature(wire()))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        from_bytes(b"NDC1" + blob[4:])
    with pytest.raises(ValueError):
        from_bytes(blob[:-4])


def test_candidates_come_back_most_shared_bands_first():
    sig = signature(wire())
    assert sig is not None
    index = indexed(reprint(OTHER, "other"), reprint(trimmed(WIRE, 3), "half"), wire(id="same"))
    found = [c.article_id for c in index.candidates(sig.bands, 2)]
    assert found == ["same", "half"]


def test_an_article_bridging_two_groups_merges_them_under_the_earliest():
    # Two reprints of the wire story keep its lede but share too little else to match each
    # other, and arrive before it.
    paras = WIRE.split("\n\n")
    a = reprint("\n\n".join(paras[:4]), "a", published_at="2026-11-28T10:00:00+09:00")
    b = reprint("\n\n".join([paras[0], *paras[4:]]), "b",
                published_at="2026-11-28T09:00:00+09:00")
    index, step = MemoryCopyIndex(), CopiesEnricher()
    step.add(a, index)
    step.add(b, index)
    assert index.originals() == {"a": None, "b": None}
    step.add(wire(outlet="Korea Times"), index)  # 08:10: the earliest, copied by both
    assert index.originals() == {"a": "wire", "b": "wire", "wire": None}
    assert sorted(step.swaps) == [("a", "wire"), ("b", "wire")]
    assert (a.duplicate_of, b.duplicate_of) == ("wire", "wire")


def test_a_short_reprint_of_a_shared_statement_does_not_merge_independent_stories():
    # Both stories quote the JCS statement; a reprint that is little more than that statement
    # matches both, but the two stories are not versions of one text.
    quote = WIRE.split("\n\n")[2]
    index, step = MemoryCopyIndex(), CopiesEnricher()
    step.add(wire(), index)
    step.add(reprint(OTHER, "other", outlet="Seoul Ledger"), index)
    brief = reprint("The North fired another missile early on Thursday morning.\n\n" + quote, "brief")
    step.add(brief, index)
    assert step.swaps == [] and index.originals()["other"] is None


def test_estimated_containment_of_a_brief_in_a_long_text_is_a_cautious_lower_bound():
    # 5 of 128 MinHash values agree between a 60-shingle text and a 1,500-shingle one: the
    # point estimate of containment would be ~1.0, but it rests on 5 agreements.
    values = np.arange(NUM_PERM, dtype=np.uint64)
    other = values.copy()
    other[5:] += 1000
    brief = CopySignature("0" * 32, values, [], 60)
    long = CopySignature("1" * 32, other, [], 1500)
    overlap = estimate_overlap(brief, long)
    assert overlap.jaccard == pytest.approx(5 / NUM_PERM)
    assert overlap.containment < 0.3 and not overlap.is_copy()


class CrowdedIndex(MemoryCopyIndex):
    """Answers band lookups as if a shared boilerplate paragraph had crowded every MinHash band
    with other articles: only the lede keys still lead to the right candidates."""

    def candidates(self, bands, limit):
        return super().candidates([b for b in bands if b.startswith("L")], limit)


def test_a_copy_is_still_found_through_its_lede_when_the_bands_are_crowded():
    index = CrowdedIndex()
    CopiesEnricher().add(wire(), index)
    text = trimmed(WIRE, 3) + "\n\nThe Korea Herald has covered the peninsula since 1953."
    assert original_of(reprint(text, "copy"), index) == "wire"
    assert original_of(reprint(OTHER, "other"), index) is None
