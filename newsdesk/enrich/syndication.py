"""Builds the syndication test set: real DEV articles, their edited reprints, and hard negatives.

Sources are the DEV article texts of three story sets under ``../shared/datasets/stories``
(HOLDOUT parts are never opened):

- wikinews_galaxy/handpicked_two_level.jsonl: 74 full-text Reuters, Guardian and NYT articles;
- ecbplus_barhom_sentences/documents.jsonl, splits Train and Dev: annotated sentences of news
  documents (title line first when annotated);
- neus_allsides/neus_clusters_title_lead.jsonl, splits train and val: title and lead paragraph
  of three outlets per AllSides roundup; ``neus_clusters`` of them are drawn with the seed.

Each source with at least ``min_words`` words gets 1-4 reprints with the edits outlets make (a
new headline, dropped last paragraphs or sentence, an outlet line or dateline, a boilerplate
paragraph, straight/curly quotes, a word changed inside a quote, a byline, "said" -> "told
reporters", US/UK spelling), published minutes to hours after it. The other sources of the same
event are written independently, often with the same quotes: they are the hard negatives.

The story sets hold real reprints too (the same AP lead listed for two outlets, ECB+ pages of one
wire story), and rewrites: one outlet's edit of another's text, a wire story and its update.
Every DEV source pair (>= 50 words, all neus train/val clusters) whose 5-shingle containment
reaches ``LABELLED_FROM`` was read by hand: the 16 pairs >= ``NATURAL_COPY`` are all one text
reprinted and become gold copies of the earlier member; of the 18 pairs between, the 7 listed in
``REWRITES`` are rewrites of one text (neither reprint nor independent) and lose their later
member; the 11 in ``INDEPENDENT`` are independent articles sharing a quoted statement or tweet
and stay as hard negatives. ``unlabelled_pairs`` finds any pair that escaped that reading.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..models import Article
from .copyscores import CopyScores, run_copies, score_pairs  # scoring, kept importable from here

__all__ = ["INDEPENDENT", "LABELLED_FROM", "NATURAL_COPY", "REWRITES", "CopyScores", "Source",
           "SyndicationSet", "build", "datasets_dir", "load_sources", "reprint", "run_copies",
           "score_pairs", "unlabelled_pairs"]

NATURAL_COPY = 0.9
LABELLED_FROM = 0.45
# Hand labels of the DEV source pairs with containment in [LABELLED_FROM, NATURAL_COPY).
REWRITES = {
    frozenset(p) for p in [
        ("wn:27", "wn:28"),  # Reuters, Homs evacuation, and its rewritten update (0.80)
        ("ecb:32_3ecbplus", "ecb:32_5ecbplus"),  # one court report, "mum" -> "mother" (0.67)
        ("ecb:23_3ecbplus", "ecb:23_6ecbplus"),  # climbers, feet -> metres, clauses cut (0.67)
        ("ecb:31_5ecbplus", "ecb:31_6ecbplus"),  # one AP lede, second sentence updated (0.60)
        ("neus:train-2325:1", "neus:train-2325:2"),  # Hochul: Guardian rewrite of Reuters (0.51)
        ("neus:train-1784:1", "neus:train-1784:2"),  # Biden speech: two edits of one text (0.49)
        ("neus:train-394:0", "neus:train-394:2"),  # Morey: one AP lede, rest rewritten (0.47)
    ]
}
INDEPENDENT = {
    frozenset(p) for p in [
        ("neus:train-1812:1", "neus:train-1812:2"),  # Rand Paul: staff statement quoted (0.65)
        ("neus:train-1275:0", "neus:train-1275:2"),  # Barr: Trump tweet quoted (0.59)
        ("neus:train-1574:0", "neus:train-1574:1"),  # Ocasio-Cortez office statement (0.59)
        ("neus:train-2090:1", "neus:train-2090:2"),  # O'Brien: White House statement (0.56)
        ("neus:train-1041:0", "neus:train-1041:2"),  # Tulsa: Trump tweet quoted (0.55)
        ("neus:train-119:0", "neus:train-119:1"),  # WHO: second quotes the first (0.52)
        ("neus:train-461:1", "neus:train-461:2"),  # Obama tweet quoted (0.51)
        ("neus:train-1006:0", "neus:train-1006:2"),  # Iranian gunboats tweet (0.50)
        ("neus:train-1084:1", "neus:train-1084:2"),  # Yemen veto statement (0.47)
        ("neus:train-1251:1", "neus:train-1251:2"),  # Twitter fact-check tweet (0.45)
        ("neus:train-2011:0", "neus:train-2011:1"),  # convention tweet (0.45)
    ]
}
_SHINGLE = 5
_WORD = re.compile(r"\w+")

_OUTLETS = [
    "Korea Herald", "The Daily Courier", "Lakeside Gazette", "Metro Tribune", "The Evening Post",
    "Capital Ledger", "Northern Star", "Harbour Times", "Valley News", "The Continental",
    "Pacific Courier", "Seoul Ledger", "Riverside Journal", "The Morning Record",
]
_AGENCIES = {
    "Yonhap": "Yonhap News Agency", "AP": "The Associated Press", "Reuters": "Reuters",
    "AFP": "Agence France-Presse", "Kyodo": "Kyodo News",
}
_PLACES = ["SEOUL", "WASHINGTON", "LONDON", "CAIRO", "KIEV", "BEIRUT", "NEW YORK", "TOKYO"]
_NAMES = ["Kim Soo-yeon", "Jane Doe", "Mark Ellison", "Priya Natarajan", "Tom O'Neill",
          "Lee Ji-hoon", "Ana Ribeiro", "David Cohen"]
_OUTLET_LINES = [
    "This article was provided by {agency_long}.", "This story was originally published by "
    "{agency_long}.", "({agency})", "Distributed by {agency_long}.", "Copyright {agency_long}. "
    "All rights reserved.", "Story by {agency_long}; republished with permission.",
]
# Some of these match the normaliser's boilerplate patterns and some do not, so the set also
# measures how far MinHash alone tolerates an added paragraph.
_BOILERPLATE = [
    "Sign up for our morning newsletter to get the day's top stories delivered to your inbox.",
    "Follow us on Twitter and Facebook for the latest updates on this and other stories.",
    "{outlet} has covered the region since 1911. Our reporting is supported by readers like you, "
    "and every contribution, big or small, helps keep local journalism free for everyone.",
    "Have a news tip? Our newsroom wants to hear from you. Reach the editors at any time, day "
    "or night, and we will follow up on every lead we receive.",
    "Related coverage: more world news and analysis from our correspondents is available in the "
    "international section of our website and in the weekend print edition.",
]
_SPELLING = [("color", "colour"), ("center", "centre"), ("defense", "defence"),
             ("organization", "organisation"), ("program", "programme"), ("labor", "labour"),
             ("favor", "favour"), ("honor", "honour"), ("neighbor", "neighbour"),
             ("analyze", "analyse"), ("criticize", "criticise"), ("recognize", "recognise"),
             ("apologize", "apologise"), ("traveled", "travelled"), ("percent", "per cent"),
             ("license", "licence"), ("offense", "offence"), ("realize", "realise")]
_QUOTE_WORDS = {"will": "would", "can": "could", "very": "really", "we": "we all", "not": "never",
                "is": "was", "are": "were", "the": "this", "have": "had", "our": "the"}


@dataclass
class Source:
    """One real DEV article the set reprints."""

    id: str
    event: str  # the story set's event/cluster id: other sources of it are hard negatives
    title: str
    paragraphs: list[str]
    outlet: str | None = None
    url: str | None = None
    day: datetime | None = None  # publication day when the data has one


@dataclass
class SyndicationSet:
    """Articles in publication order with the gold original of each copy."""

    articles: list[Article]
    gold: dict[str, str | None]  # article id -> its original's id, None for an original
    events: dict[str, str]  # article id -> source event (reprints take their source's)
    sources: int = 0
    natural_copies: int = 0
    dropped_rewrites: int = 0  # later members of REWRITES pairs, left out
    hard_negative_pairs: int = 0  # pairs of distinct originals of one event
    counts: dict[str, int] = field(default_factory=dict)  # sources per data set


def datasets_dir() -> Path:
    """Returns ../shared/datasets beside the repository root."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def _jsonl(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


_DETOKENIZE = [(re.compile(r" ([,.;:!?%)])"), r"\1"), (re.compile(r"([($]) "), r"\1"),
               (re.compile(r" (n't|'s|'re|'ve|'ll|'d)\b"), r"\1"), (re.compile(r" - "), "-")]


def _detokenize(line: str) -> str:
    for pattern, repl in _DETOKENIZE:
        line = pattern.sub(repl, line)
    return line


# Some NYT texts of the wikinews set were stored as UTF-8 read as Latin-1 ("\u00e2\u0080\u0099"
# for a curly apostrophe); each such run is decoded back, so quote edits see real quotes.
_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf]{1,3}")


def _unmojibake(text: str) -> str:
    def repair(match: re.Match) -> str:
        try:
            return match.group(0).encode("latin-1").decode("utf-8")
        except UnicodeError:
            return match.group(0)
    return _MOJIBAKE.sub(repair, text)


def _wikinews(root: Path) -> list[Source]:
    names = {"theguardian": "The Guardian", "reuters": "Reuters", "nytimes": "The New York Times"}
    out = []
    for n, row in enumerate(_jsonl(root / "stories/wikinews_galaxy/handpicked_two_level.jsonl")):
        host = re.search(r"www\.(\w+)\.", row["url"])
        date = re.search(r"/(20\d\d)/(\w{3}|\d\d)/(\d\d)/", row["url"])
        day = None
        if date:
            month = date.group(2)
            month = month if month.isdigit() else str(datetime.strptime(month, "%b").month)
            day = datetime(int(date.group(1)), int(month), int(date.group(3)), tzinfo=timezone.utc)
        paras = [p.strip() for p in _unmojibake(row["text"]).split("\n\n") if p.strip()]
        out.append(Source(f"wn:{n:02d}", "wn:" + row["event_id"], _unmojibake(row["title"]), paras,
                          names.get(host.group(1)) if host else None, row["url"], day))
    return out


def _ecbplus(root: Path) -> list[Source]:
    out = []
    for row in _jsonl(root / "stories/ecbplus_barhom_sentences/documents.jsonl"):
        if row["split"] not in ("Train", "Dev"):  # Test is HOLDOUT
            continue
        lines = [_detokenize(x.strip()) for x in row["text"].split("\n") if x.strip()]
        if row["sentence_ids"] and row["sentence_ids"][0] == 0 and len(lines) > 1:
            title, lines = lines[0], lines[1:]
        else:
            title = " ".join(lines[0].split()[:10])
        out.append(Source("ecb:" + row["doc_id"], "ecb:" + row["subtopic"], title, lines))
    return out


def _neus(root: Path, clusters: int, rng: random.Random) -> list[Source]:
    rows: dict[str, list[dict]] = {}
    for row in _jsonl(root / "stories/neus_allsides/neus_clusters_title_lead.jsonl"):
        if row["split"] in ("train", "val"):  # test is HOLDOUT
            rows.setdefault(row["cluster_id"], []).append(row)
    chosen = rng.sample(sorted(rows), min(clusters, len(rows)))
    return [Source(f"neus:{cid}:{row['pos']}", "neus:" + cid, row["title"], [row["lead"].strip()])
            for cid in sorted(chosen) for row in rows[cid]]


def load_sources(root: Path, neus_clusters: int, rng: random.Random,
                 min_words: int) -> tuple[list[Source], dict[str, int]]:
    """Returns the DEV sources with at least ``min_words`` words, and how many per data set."""
    sources, counts = [], {}
    for name, found in (("wikinews", _wikinews(root)), ("ecbplus", _ecbplus(root)),
                        ("neus", _neus(root, neus_clusters, rng))):
        kept = [s for s in found if len(_WORD.findall(" ".join(s.paragraphs))) >= min_words]
        counts[name] = len(kept)
        sources.extend(kept)
    return sources, counts


def _shingles(text: str) -> set[str]:
    words = _WORD.findall(text.casefold())
    return {" ".join(words[i:i + _SHINGLE]) for i in range(max(1, len(words) - _SHINGLE + 1))}


def _pairs(sources: list[Source], floor: float):
    """Yields (containment, earlier, later) for source pairs whose exact 5-shingle containment
    (shared / smaller set) reaches ``floor``; an inverted index keeps it to pairs that share any."""
    sets = [_shingles(" ".join(s.paragraphs)) for s in sources]
    postings: dict[str, list[int]] = {}
    for i, shingles in enumerate(sets):
        for shingle in shingles:
            postings.setdefault(shingle, []).append(i)
    for j, shingles in enumerate(sets):
        shared: dict[int, int] = {}
        for shingle in shingles:
            for i in postings[shingle]:
                if i < j:
                    shared[i] = shared.get(i, 0) + 1
        for i, n in sorted(shared.items()):
            containment = n / min(len(sets[i]), len(shingles))
            if containment >= floor:
                yield containment, sources[i], sources[j]


def unlabelled_pairs(sources: list[Source]) -> list[tuple[float, str, str]]:
    """Returns the source pairs in [LABELLED_FROM, NATURAL_COPY) that no hand label covers."""
    return [(c, a.id, b.id) for c, a, b in _pairs(sources, LABELLED_FROM)
            if c < NATURAL_COPY and frozenset((a.id, b.id)) not in REWRITES | INDEPENDENT]


def _natural_copies(sources: list[Source]) -> tuple[dict[str, str], set[str]]:
    """Returns {later source id: its original's id} for the real reprints among the sources,
    and the ids of the later members of rewrite pairs."""
    copies: dict[str, str] = {}
    rewrites: set[str] = set()
    for containment, earlier, later in _pairs(sources, LABELLED_FROM):
        if containment >= NATURAL_COPY and later.id not in copies:
            copies[later.id] = copies.get(earlier.id, earlier.id)
        elif frozenset((earlier.id, later.id)) in REWRITES:
            rewrites.add(later.id)
    return copies, rewrites - set(copies)


# -- edits ---------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"\u201d])) (?=[A-Z\"\u201c])")
_DQUOTE = re.compile(r"[\"\u201c\u201d]")


def _swap_quote_style(text: str) -> str:
    if "\u201c" in text or "\u201d" in text:
        return _DQUOTE.sub('"', text).replace("\u2019", "'")
    parts = text.split('"')
    return "".join(p + ("\u201c" if i % 2 == 0 else "\u201d") if i < len(parts) - 1 else p
                   for i, p in enumerate(parts))


def _change_quoted_word(text: str, rng: random.Random) -> str:
    spans = [m for m in re.finditer(r"[\"\u201c]([^\"\u201c\u201d]{20,})[\"\u201d]", text)]
    if not spans:
        return text
    span = rng.choice(spans)
    words = span.group(1).split(" ")
    options = [k for k, w in enumerate(words) if w.lower() in _QUOTE_WORDS]
    if options:
        k = rng.choice(options)
        words[k] = _QUOTE_WORDS[words[k].lower()]
    else:
        del words[rng.randrange(len(words))]
    return text[:span.start(1)] + " ".join(words) + text[span.end(1):]


def _copy_edit(text: str, rng: random.Random) -> str:
    edits = [
        lambda t: re.sub(r"\bsaid\b", "told reporters", t, count=1),
        lambda t: re.sub(r"\bsaid\b", "added", t, count=1),
        lambda t: re.sub(r"\bMr\. ", "", t),
        lambda t: re.sub(r"\bU\.S\.", "US", t),
        lambda t: re.sub(r"\bon (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
                         r"\1", t, count=1),
    ]
    for us, uk in _SPELLING:
        edits.append(lambda t, a=us, b=uk: re.sub(rf"\b{a}", b, t))
        edits.append(lambda t, a=uk, b=us: re.sub(rf"\b{a}", b, t))
    for edit in rng.sample(edits, rng.randint(1, 3)):
        text = edit(text)
    return text


def _trim(paras: list[str], rng: random.Random) -> list[str]:
    """Drops the last 1-2 paragraphs (or the last sentence of a one-paragraph text), keeping
    at least 60% of the words: a deeper cut is an abridgement, not a reprint."""
    total = len(" ".join(paras).split())
    if len(paras) >= 3:
        cut = paras[:-rng.randint(1, 2)]
    else:
        sentences = _SENTENCE_END.split(paras[-1])
        if len(sentences) < 2:
            return paras
        cut = paras[:-1] + [" ".join(sentences[:-1])]
    return cut if len(" ".join(cut).split()) >= 0.6 * total else paras


def _headline(source: Source, outlet: str, rng: random.Random) -> str:
    lede = source.paragraphs[0].split()
    styles = [
        lambda: source.title.upper() if len(source.title) < 60 else "UPDATE 2-" + source.title,
        lambda: f"{source.title} | {outlet}",
        lambda: " ".join(lede[:rng.randint(6, 11)]).rstrip(",;:") + "...",
        lambda: "World briefing: " + " ".join(source.title.split()[:6]),
    ]
    return rng.choice(styles)()


def reprint(source: Source, n: int, agency: str, published: datetime,
            rng: random.Random) -> Article:
    """Returns reprint ``n`` of a source as an outlet would run it, with a random set of edits;
    one reprint in six gets every edit at once."""
    outlet = rng.choice(_OUTLETS)
    heavy = rng.random() < 1 / 6
    chance = (lambda p: True) if heavy else (lambda p: rng.random() < p)  # noqa: E731
    paras = list(source.paragraphs)
    if chance(0.5):
        paras = _trim(paras, rng)
    if chance(0.4):
        text = rng.choice(_BOILERPLATE).format(outlet=outlet)
        paras.insert(rng.choice([len(paras), min(2, len(paras))]), text)
    if chance(0.5):
        paras = [_swap_quote_style(p) for p in paras]
    if chance(0.3):
        k = rng.randrange(len(paras))
        paras[k] = _change_quoted_word(paras[k], rng)
    if chance(0.6):
        k = rng.randrange(len(paras))
        paras[k] = _copy_edit(paras[k], rng)
    if chance(0.25) and not re.match(r"^[A-Z]{3,}", paras[0]):
        paras[0] = f"{rng.choice(_PLACES)} ({agency}) -- {paras[0]}"
    credit = None
    if chance(0.5):
        credit = agency
        line = rng.choice(_OUTLET_LINES).format(agency=agency, agency_long=_AGENCIES[agency])
        paras = [line, *paras] if rng.random() < 0.3 else [*paras, line]
    byline = None
    if chance(0.6):
        byline = rng.choice(_NAMES)
        paras.insert(0, f"By {byline}" + (f", {outlet}" if rng.random() < 0.5 else ""))
    return Article(
        title=_headline(source, outlet, rng), text="\n\n".join(paras),
        url=f"https://news.example/{outlet.lower().replace(' ', '-')}/{source.id}/{n}",
        outlet=outlet, credit=credit, byline=byline, published_at=published.isoformat(),
        language="en", id=f"{source.id}#r{n}",
    )


_ZONES = [timezone.utc, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))]


def build(root: Path | None = None, *, seed: int = 7, neus_clusters: int = 600,
          min_words: int = 50) -> SyndicationSet:
    """Builds the set deterministically from ``seed``; raises FileNotFoundError without data."""
    root = root or datasets_dir()
    rng = random.Random(seed)
    sources, counts = load_sources(root, neus_clusters, rng, min_words)
    natural, rewrites = _natural_copies(sources)
    sources = [s for s in sources if s.id not in rewrites]
    when: dict[str, datetime] = {}
    event_day: dict[str, datetime] = {}
    for s in sources:
        day = event_day.setdefault(s.event, s.day or datetime(
            2019, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(1000)))
        when[s.id] = day + timedelta(hours=6, minutes=rng.randrange(12 * 60))
    for later, earlier in natural.items():  # a real reprint runs after what it copies
        when[later] = when[earlier] + timedelta(minutes=rng.randint(10, 600))
    articles, gold, events = [], {}, {}
    for s in sources:
        gold[s.id] = natural.get(s.id)
        events[s.id] = s.event
        articles.append(Article(title=s.title, text="\n\n".join(s.paragraphs), url=s.url,
                                outlet=s.outlet, published_at=when[s.id].isoformat(),
                                language="en", id=s.id))
        agency = "Reuters" if s.outlet == "Reuters" else rng.choice(sorted(_AGENCIES))
        for n in range(1, rng.randint(1, 4) + 1):
            at = when[s.id] + timedelta(minutes=rng.randint(5, 30 * 60))
            copy = reprint(s, n, agency, at.astimezone(rng.choice(_ZONES)), rng)
            articles.append(copy)
            gold[copy.id] = natural.get(s.id, s.id)
            events[copy.id] = s.event
    articles.sort(key=lambda a: (datetime.fromisoformat(a.published_at or ""), a.id or ""))
    originals: dict[str, int] = {}
    for s in sources:
        if s.id not in natural:
            originals[s.event] = originals.get(s.event, 0) + 1
    pairs = sum(n * (n - 1) // 2 for n in originals.values())
    return SyndicationSet(articles, gold, events, len(sources), len(natural), len(rewrites),
                          pairs, counts)

