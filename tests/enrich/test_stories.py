"""Unit tests of the online story clusterer, its state, its in-memory index and its step."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from newsdesk.enrich.embeddings import HashingEmbedder, article_text
from newsdesk.enrich.names import extract_names, is_title_case
from newsdesk.enrich.stories import (
    Decision,
    MemoryStoryIndex,
    StoriesEnricher,
    StoryClusterer,
    StoryConfig,
    StoryIndex,
    StoryState,
    story_id_for,
)
from newsdesk.models import Article

EMBEDDER = HashingEmbedder()

REID = [
    ("Tara Reid checks into rehab at Promises in Malibu",
     "Actress Tara Reid has checked into the Promises Treatment Center in Malibu, her "
     "publicist Jack Ketsoyan told People magazine on Tuesday."),
    ("Tara Reid enters Promises rehab clinic",
     "The American Pie star Tara Reid entered the Promises Treatment Center in Malibu this "
     "week, her representative Jack Ketsoyan confirmed."),
    ("Reid seeks treatment at Malibu's Promises",
     "Tara Reid is getting help at Promises Treatment Center in Malibu, according to People, "
     "after years of partying."),
]
LOHAN = ("Lindsay Lohan checks into rehab at Betty Ford Center",
         "Actress Lindsay Lohan has checked into the Betty Ford Center in Rancho Mirage, her "
         "lawyer Shawn Holley told Us Weekly on Thursday.")
QUAKE = ("Magnitude 6.1 earthquake shakes northern Chile",
         "A strong earthquake struck off the coast of northern Chile near Iquique, the "
         "geological survey said, with no damage reported so far.")


def article(n: int, title: str, text: str, when: str | None = None) -> Article:
    return Article(id=f"a{n}", title=title, text=text, published_at=when)


def assign(clusterer: StoryClusterer, art: Article) -> str:
    return clusterer.assign(art, EMBEDDER.embed([article_text(art)])[0])


def test_memory_index_implements_the_protocol() -> None:
    assert isinstance(MemoryStoryIndex(), StoryIndex)


def test_a_story_goes_cold_after_its_window() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex(), StoryConfig(cold_days=3.0))
    first = assign(clusterer, article(1, *REID[0], when="2024-05-01T10:00:00+00:00"))
    next_day = assign(clusterer, article(2, *REID[1], when="2024-05-02T09:00:00+00:00"))
    weeks_later = assign(clusterer, article(3, *REID[2], when="2024-05-20T09:00:00+00:00"))
    assert next_day == first
    assert weeks_later != first


def test_a_story_that_keeps_getting_news_runs_for_weeks() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex(), StoryConfig(cold_days=3.0))
    ids = {assign(clusterer, article(n, *REID[n % 3], when=f"2024-05-{1 + 2 * n:02d}T10:00:00+00:00"))
           for n in range(10)}  # one article every two days, May 1 to May 19
    assert len(ids) == 1


def test_undated_articles_group_on_text_and_names() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex())
    ids = [assign(clusterer, article(n, *REID[n])) for n in range(3)]
    other = assign(clusterer, article(9, *QUAKE))
    assert ids[0] == ids[1] == ids[2]
    assert other != ids[0]


def test_same_topic_with_other_names_and_places_starts_a_new_story() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex())
    reid = {assign(clusterer, article(n, *REID[n])) for n in range(3)}
    lohan = assign(clusterer, article(5, *LOHAN))
    assert len(reid) == 1
    assert lohan not in reid


def test_the_join_rule_sees_the_best_story_signals_and_can_be_replaced() -> None:
    seen: list[Decision] = []

    class Recording(StoryClusterer):
        def joins(self, d: Decision) -> bool:
            seen.append(d)
            return super().joins(d)

    class Never(StoryClusterer):
        def joins(self, d: Decision) -> bool:
            return False

    recording = Recording(MemoryStoryIndex())
    ids = [assign(recording, article(n, *REID[n])) for n in range(3)]
    assert ids[0] == ids[1] == ids[2]
    # The first article has no candidate, so the rule is asked twice, with the story's signals.
    assert len(seen) == 2 and seen[1].signals.size == 2 and seen[1].scored == 1
    assert seen[1].best == pytest.approx(recording.combine(seen[1].signals))
    assert seen[1].signals.names is not None and seen[1].signals.names > 0 and seen[1].signals.gap is None
    never = Never(MemoryStoryIndex(), StoryConfig(merge_threshold=0))
    assert len({assign(never, article(n, *REID[n])) for n in range(3)}) == 3
    # With the merges on, the pieces the rule left apart are folded back after each batch.
    never_merged = Never(MemoryStoryIndex())
    assert len({assign(never_merged, article(n, *REID[n])) for n in range(3)}) == 1


def test_undated_article_may_join_a_dated_story() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex())
    dated = assign(clusterer, article(1, *REID[0], when="2024-05-01T10:00:00+00:00"))
    assert assign(clusterer, article(2, *REID[1])) == dated


def test_title_is_a_member_headline_and_times_span_the_members() -> None:
    index = MemoryStoryIndex()
    clusterer = StoryClusterer(index)
    whens = ["2024-05-02T10:00:00+00:00", "2024-05-01T08:00:00+00:00", "2024-05-03T12:00:00+00:00"]
    ids = {assign(clusterer, article(n, *REID[n], when=whens[n])) for n in range(3)}
    (story_id,) = ids
    state = index.get(story_id)
    assert state is not None
    assert state.title in {title for title, _ in REID}
    assert state.title_article_id in {"a0", "a1", "a2"}
    assert state.size == 3
    assert (state.first_seen, state.last_seen) == (whens[1], whens[2])


def test_new_story_id_comes_from_the_first_article() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex())
    sid = assign(clusterer, article(1, *QUAKE))
    assert sid == story_id_for("a1")
    assert sid.startswith("s") and len(sid) == 13


def test_state_json_round_trip() -> None:
    index = MemoryStoryIndex()
    clusterer = StoryClusterer(index)
    sid = assign(clusterer, article(1, *REID[0], when="2024-05-01T10:00:00+00:00"))
    assign(clusterer, article(2, *REID[1], when="2024-05-01T12:00:00+00:00"))
    state = index.get(sid)
    assert state is not None
    back = StoryState.from_json(state.to_json())
    assert back.centroid.dtype == np.float32
    assert np.array_equal(back.centroid, state.centroid)
    assert back.title_vector is not None and np.array_equal(back.title_vector, state.title_vector)
    for name in ("id", "terms", "names", "size", "first_seen", "last_seen", "title",
                 "title_article_id", "terms_norm", "names_norm", "named"):
        assert getattr(back, name) == getattr(state, name), name
    empty = StoryState(id="s0", centroid=np.zeros(0, np.float32))
    assert StoryState.from_json(empty.to_json()).title_vector is None


def test_state_stays_bounded() -> None:
    index = MemoryStoryIndex()
    config = StoryConfig(max_terms=20, max_names=5, threshold=-1.0)  # everything joins
    clusterer = StoryClusterer(index, config)
    for n in range(30):
        sid = assign(clusterer, article(n, f"Story number {n} of Person{n} Smith{n}",
                                        f"Words word{n} other{n} and Place{n} Town met Joe Bloggs{n}."))
    state = index.get(sid)
    assert state is not None and state.size == 30
    assert len(state.terms) <= 2 * config.max_terms
    assert len(state.names) <= 2 * config.max_names


def test_index_window_and_retired_stories_stay_readable() -> None:
    index = MemoryStoryIndex()
    clusterer = StoryClusterer(index, StoryConfig(cold_days=2.0))
    old = assign(clusterer, article(1, *QUAKE, when="2024-01-01T00:00:00+00:00"))
    new = assign(clusterer, article(2, *QUAKE, when="2024-03-01T00:00:00+00:00"))
    assert old != new
    vec = EMBEDDER.embed([QUAKE[0]])[0]
    found = index.candidates(vec, "2024-03-02T00:00:00+00:00", 10, 2.0)
    assert [s.id for s in found] == [new]
    assert index.get(old) is not None
    undated = index.candidates(vec, None, 10, 2.0)
    assert new in {s.id for s in undated}


def test_document_frequencies_count_each_key_once_per_document() -> None:
    index = MemoryStoryIndex()
    index.add_doc(["fire", "fire", "n:surrey"])
    index.add_doc(["fire"])
    assert index.doc_count() == 2
    assert index.doc_freq(["fire", "n:surrey", "missing"]) == {"fire": 2, "n:surrey": 1, "missing": 0}


def test_a_changed_embedder_restarts_the_centroid() -> None:
    index = MemoryStoryIndex()
    clusterer = StoryClusterer(index)
    sid = assign(clusterer, article(1, *REID[0]))
    joined = clusterer.assign(article(2, *REID[1]), np.ones(8, np.float32) / np.sqrt(8))
    assert joined == sid  # text and names alone carry it
    state = index.get(sid)
    assert state is not None and state.centroid.shape == (8,)


class FakeStore:
    """The two store methods the step uses."""

    def __init__(self) -> None:
        self.index = MemoryStoryIndex()
        self.saved: dict[str, Article] = {}

    def story_index(self) -> MemoryStoryIndex:
        return self.index

    def get_article(self, article_id: str) -> Article | None:
        return self.saved.get(article_id)


def test_enricher_assigns_stories_and_copies_join_their_original() -> None:
    store = FakeStore()
    step = StoriesEnricher(embedder=EMBEDDER)
    first = [article(n, *REID[n]) for n in range(2)]
    step.enrich(first, store)  # type: ignore[arg-type]
    for a in first:
        store.saved[a.id] = a  # type: ignore[index]
    copy_of_stored = replace(article(10, "Copy", "Copy text"), duplicate_of="a0")
    lohan = article(11, *LOHAN)
    copy_in_batch = replace(article(12, "Copy 2", "Copy text"), duplicate_of="a11")
    step.enrich([copy_of_stored, lohan, copy_in_batch], store)  # type: ignore[arg-type]
    assert first[0].story_id and first[0].story_id == first[1].story_id
    assert copy_of_stored.story_id == first[0].story_id
    assert lohan.story_id and lohan.story_id != first[0].story_id
    assert copy_in_batch.story_id == lohan.story_id
    assert step.name == "stories"


def test_enricher_uses_the_attached_vector_and_skips_without_store() -> None:
    art = article(1, *QUAKE)
    StoriesEnricher().enrich([art], None)
    assert art.story_id is None
    store = FakeStore()
    art.vector, art.vector_model = EMBEDDER.embed([article_text(art)])[0], EMBEDDER.name

    class Unused:
        """Has the model name of the attached vector; embedding again would be a bug."""

        name = EMBEDDER.name

        def embed(self, texts):
            raise AssertionError("the attached vector of the same model must be used")

    StoriesEnricher(embedder=Unused()).enrich([art], store)
    assert art.story_id == story_id_for("a1")


@pytest.mark.parametrize(("title", "text", "present", "absent"), [
    ("Tara Reid enters rehab", "Police said the actress was fine. Her rep Jack Ketsoyan agreed.",
     {"tara reid", "reid", "jack ketsoyan", "ketsoyan"}, {"police", "her"}),
    ("Quake Hits Chile As Residents Flee Homes", "A 6.1 quake struck near Iquique on Tuesday.",
     {"#6.1", "iquique"}, {"quake", "chile", "hits", "tuesday"}),
    ("The White House said so", "The NATO summit in Brussels.",
     {"white house", "nato", "brussels"}, {"the white house", "the"}),
    ("Kerry's trip", "Secretary of State John Kerry's plane landed.",
     {"john", "kerry"}, {"kerry's", "secretary"}),
])
def test_names_rules(title: str, text: str, present: set[str], absent: set[str]) -> None:
    names = extract_names(title, text)
    assert present <= names, names
    assert not (absent & names), names


def test_title_case_detection() -> None:
    assert is_title_case("Tara Reid Finally Checks Into Rehab For Undisclosed Reasons")
    assert is_title_case("REPORT : RED SOX MAKE HUGE OFFER TO TEIXEIRA")
    assert not is_title_case("Tara Reid has checked into Promises Treatment Center , a clinic")


def test_threshold_drops_for_short_dated_inputs_and_long_ones_when_set() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex(), StoryConfig())
    cfg = clusterer.config
    mid = clusterer.threshold(35)
    assert mid == cfg.threshold  # a one-paragraph lead keeps the tuned threshold
    assert clusterer.threshold(3) < clusterer.threshold(8) < clusterer.threshold(20) < mid
    assert clusterer.threshold(8) == pytest.approx(cfg.threshold * (8 / cfg.short_words) ** cfg.short_power)
    assert clusterer.threshold(80) == mid  # long_words is off by default
    long = StoryClusterer(MemoryStoryIndex(), StoryConfig(long_words=40.0))
    assert long.threshold(80) < long.threshold(50) < long.threshold(35) == mid
    # Undated articles are scored against every story ever seen: no lower bar for them.
    assert long.threshold(3, dated=False) == long.threshold(80, dated=False) == mid
    plain = StoryClusterer(MemoryStoryIndex(), StoryConfig(short_words=0.0, long_words=0.0))
    assert plain.threshold(3) == plain.threshold(80) == cfg.threshold


def test_short_dev_variants_cut_text_to_the_headline_or_its_first_sentence() -> None:
    from newsdesk.enrich.evaluation import StorySet, first_sentence, shorten

    full = StorySet("x", [Article(id="a", title="Quake hits Chile",
                                  text="A strong quake hit Chile on Monday. Nobody was hurt.\n\nMore.",
                                  published_at="2024-05-01")], {"a": "g"}, dated=True)
    titles, first = shorten(full, "titles"), shorten(full, "first")
    assert (titles.name, titles.articles[0].text) == ("x-titles", "Quake hits Chile")
    assert first.articles[0].text == "A strong quake hit Chile on Monday."
    assert first.articles[0].published_at == "2024-05-01" and first.gold == full.gold
    assert first_sentence("U.S. troops left. Then more.") == "U.S. troops left."
    with pytest.raises(ValueError, match="mode"):
        shorten(full, "lead")


HEADLINES = ["Lindsay Lohan checks into Betty Ford rehab", "Magnitude 6.1 earthquake shakes northern Chile",
             "Stocks fall as oil prices climb", "Senate passes budget bill after long debate",
             "Apple unveils new iPhone at event", "Floods force thousands from homes in Bangladesh",
             "Warriors beat Lakers in overtime thriller", "Central bank holds interest rates steady",
             "Tara Reid checks into Promises rehab", "American Pie star in rehab"]


@pytest.mark.parametrize(("when", "short_words", "joined"), [
    ("2024-05-01T10:00:00+00:00", None, True),  # the defaults: a dated headline meets a lower bar
    ("2024-05-01T10:00:00+00:00", 0.0, False),  # one threshold for all lengths
    (None, None, False),  # undated: scored against every story ever seen, so no lower bar
])
def test_a_dated_headline_only_stream_joins_at_a_lower_bar(when: str | None, short_words: float | None,
                                                           joined: bool) -> None:
    config = StoryConfig() if short_words is None else StoryConfig(short_words=short_words)
    arts = [Article(id=f"h{n}", title=t, text=t, published_at=when) for n, t in enumerate(HEADLINES)]
    vectors = EMBEDDER.embed([article_text(a) for a in arts])
    ids = StoryClusterer(MemoryStoryIndex(), config).assign_batch(arts, vectors)
    assert (ids[-1] == ids[-2]) is joined
    assert len(set(ids[:-2])) == len(HEADLINES) - 2  # the unrelated headlines stay apart
