"""Finds who and what an article names, with people's roles and the quotes they gave.

The "entities" step of the pipeline. Per article it:

1. tags names with the spaCy models (``nlp.tag``) and a few rules where the models are weak:
   romanised East Asian names ("Kim Do-yun"), names after a title ("Secretary of State X"), and
   outlets and wire services, which are organisations whatever the tagger says;
2. merges mentions into entities: "President Kim Do-yun" and a later "Kim" are one person, and
   name variants share one key across articles (``entitynames.entity_key``);
3. reads roles and affiliations (``roles``) and quotes with their speakers (``quotes``).

It fills ``article.entities`` and ``article.quotes`` (DESIGN.md's article JSON); the store
keeps them with the article and in the entity tables that entity pages read.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from ..models import Article
from .entitynames import EAST_ASIAN_SURNAMES, WIRE_SERVICES, clean_name, entity_key, is_outlet, short_forms
from .quotes import Quote, Speaker, describe, find_quotes
from .roles import SYNONYMS, Role, apposition_after, definite_roles, title_before

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["EntitiesEnricher", "Analysis", "analyse", "analyse_texts", "Cluster"]

log = logging.getLogger(__name__)

# Page chrome of aggregator captures (DESIGN.md): masked out before tagging so that none of it
# becomes an entity, even when a capture's chrome reaches the enricher unsplit.
_CHROME = re.compile(r"^(?:Hashtags|Try Our AI Features|Explore what .{1,40} can do for you:|Comments|"
                     r"No comments yet.*|Related Articles|Summarize:.*|Who's Who:.*|Ask [A-Z]\w+:.*|"
                     r"\d+ (?:minutes?|hours?|days?) ago|yesterday|- .{1,60}|(?:#\w+\s*)+)$",
                     re.M)
_EA_NAME = re.compile(r"\b([A-Z][a-z]{0,5})\s([A-Z][a-z]+-[a-z]+)\b")
_EA_NAME_GIVEN_FIRST = re.compile(r"\b([A-Z][a-z]+-[a-z]+)\s([A-Z][a-z]{0,5})\b")
_TITLED = re.compile(r"\b(?:Minister|Adviser|Advisor|Secretary|President|Ambassador|Envoy|Spokesperson|"
                     r"Spokesman|Spokeswoman|Chairman|Chairwoman|Governor|Director|Commander|Premier|"
                     r"Chancellor|Leader|Undersecretary|of State|of Defense|Rep\.|Sen\.|Gen\.|Adm\.|"
                     r"Dr\.|Mr\.|Ms\.|Mrs\.|Prof\.)\s+((?:[A-Z][a-z]+(?:-[a-z]+)?)(?:\s[A-Z][a-z]+"
                     r"(?:-[a-z]+)?){0,2})\b")
_NOT_NAME = {"said", "says", "the", "and", "on", "in", "of", "for", "said.", "at", "North",
             "South", "Korea", "Korean", "Japan", "China", "Seoul", "Tokyo", "Beijing", "Washington"}
# Nouns of an unnamed source ("the official said" after "a Foreign Ministry official, speaking
# on condition of anonymity").
# What may follow an unnamed source's noun: "at the presidential office", "familiar with the
# matter"; it stops before a verb so that "an official in Seoul said ..." keeps only "in Seoul".
_SOURCE_TAIL = (r"\b(?:\s+(?:familiar\s+with|close\s+to|at|in|of|with|from|"
                r"who\s+(?!spoke|asked|requested|declined|was\s+not|is\s+not|did\s+not|said)\w+)\s+"
                r"(?:(?!\s(?:said|says|told|who|had|has|was|were|is|are|would|will)\b)[^,.;\"“”]){3,60})?")
_UNNAMED = {"official", "source", "diplomat", "aide", "person", "insider", "officer"}
# Words no person's name holds ("Joint Chiefs", "Unification Ministry", "Daehan Aerospace").
_ORG_NAME = re.compile(r"\b(?:Chiefs|Staff|Ministry|Department|Office|Council|Agency|Institute|Command|"
                       r"Party|Assembly|Committee|Commission|Embassy|University|Bank|Corp|Group|Forces|"
                       r"Army|Navy|Guard|Police|Court|Government|Service|Center|Centre|Industries|"
                       r"Aerospace|Securities|Holdings|Electronics|Motors|Shipbuilding|Capital|"
                       r"Investment|Airlines|Systems|Technologies|Semiconductor|Energy|Chemical|Steel|"
                       r"Feed|Foundation|Association|Federation|Union|Fund|Times|Herald|Post|Daily)\b")
# Not names at all: file names, identifiers, honorifics alone.
_JUNK_NAME = re.compile(r"[_/@]|\.(?:md|py|txt|html?|json|jsonl|xml)$|^(?:Col|Lt|Gen|Adm|Rep|Sen|Gov|Capt|"
                        r"Maj|Sgt|Dr|Mr|Mrs|Ms|Prof|Gen)$")
_MONTH_TAIL = re.compile(r"\s+(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)$")
_WIRES = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(WIRE_SERVICES, key=len,
                                                                          reverse=True)) + r")(?!\w)")


@dataclass(eq=False)
class Cluster:
    """One entity of an article: its type, the names it goes by and where it is mentioned."""

    type: str
    names: Counter = field(default_factory=Counter)
    first: int = 0
    mentions: list[tuple[int, int]] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    votes: Counter = field(default_factory=Counter)  # tagged types of its mentions

    @property
    def name(self) -> str:
        """The fullest name: the most words, then not in capitals, then the most frequent."""
        best = max(self.names, key=lambda n: (len(n.split()), not (n.isupper() and len(n) > 4),
                                              self.names[n], -len(n)))
        return best

    @property
    def key(self) -> str:
        return entity_key(self.name, self.type)


@dataclass
class Analysis:
    """Entities (DESIGN.md dicts), quotes (dicts) and the clusters behind them."""

    entities: list[dict]
    quotes: list[dict]
    clusters: list[Cluster]


def _mask_chrome(text: str) -> str:
    """Blanks page-chrome lines, keeping offsets."""
    return _CHROME.sub(lambda m: " " * len(m.group(0)), text)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for part in re.split(r"(\n\s*\n)", text):
        if part.strip() and not re.fullmatch(r"\n\s*\n", part):
            lead = len(part) - len(part.lstrip())
            out.append((pos + lead, pos + len(part.rstrip())))
        pos += len(part)
    return out


def _rule_spans(text: str, outlets: set[str]) -> list[tuple[int, int, str]]:
    """Returns names the rules are sure of: romanised East Asian names, titled names, wires."""
    spans = []
    for m in _EA_NAME.finditer(text):
        if m.group(1).lower() in EAST_ASIAN_SURNAMES:
            spans.append((m.start(), m.end(), "person"))
    for m in _EA_NAME_GIVEN_FIRST.finditer(text):
        if m.group(2).lower() in EAST_ASIAN_SURNAMES:
            spans.append((m.start(), m.end(), "person"))
    for m in _TITLED.finditer(text):
        words = m.group(1).split()
        while words and words[-1] in _NOT_NAME:
            words.pop()
        if words and words[0] not in _NOT_NAME:
            spans.append((m.start(1), m.start(1) + len(" ".join(words)), "person"))
    for m in _WIRES.finditer(text):
        spans.append((m.start(), m.end(), "organization"))
    for name in outlets:
        for m in re.finditer(r"(?<!\w)(?:The\s+)?" + re.escape(name) + r"(?!\w)", text, re.I):
            spans.append((m.start(), m.end(), "organization"))
    return spans


def _person_evidence(text: str, start: int, end: int) -> bool:
    """Tells whether the words around a name say it is a person: a title before it, a role in
    an apposition after it, a speech verb after it, or its family name alone followed by one."""
    sentence_start = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start), 0)
    if title_before(text, sentence_start, start) or apposition_after(text, end):
        return True
    if re.match(r"\s+(?:said|says|told|added|wrote)\b", text[end:end + 12]):
        return True
    last = text[start:end].split()[-1]
    return len(text[start:end].split()) > 1 and bool(
        re.search(r"(?<![\w-])" + re.escape(last) + r"\s+(?:said|says|told|added|wrote)\b", text[end:]))


class _Words:
    """Where each word (a maximal run of letters, digits, "_" and "-") stands in a text, so that
    the rules look a name up instead of scanning the whole text once per name (which made the
    step's rules as slow as a tagger on long articles)."""

    def __init__(self, text: str):
        self.text = text
        self.at: dict[str, list[int]] = {}
        for m in _RUN.finditer(text):
            self.at.setdefault(m.group(0), []).append(m.start())

    def find(self, name: str) -> Iterator[tuple[int, int]]:
        r"""Yields (start, end) of each whole-word occurrence of ``name``, left to right and not
        overlapping: what ``re.finditer(r"(?<![\w-])NAME(?![\w-])")`` finds."""
        text = self.text
        first = _RUN.match(name)
        if first is None:  # opens with punctuation: no word to look up
            for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text):
                yield m.span()
            return
        # an occurrence opens a word of the text, and that word is the name's first word
        resume = 0
        for start in self.at.get(first.group(0), ()):
            end = start + len(name)
            if start >= resume and text.startswith(name, start) and not _RUN.match(text, end):
                yield start, end
                resume = end

    def positions(self, word: str) -> list[int]:
        """Returns where ``word`` stands as a whole word."""
        return [s for s, _e in self.find(word)]


_RUN = re.compile(r"[\w-]+")


def _lone_at_sentence_start(text: str, starts: set[int], words: _Words, start: int, word: str) -> bool:
    """Tells whether a one-word name opens its sentence (``starts``), never appears capitalised
    inside one, and appears in lower case elsewhere: then it is an ordinary word ("Lawmakers ...
    lawmakers").

    (Dropping every lone sentence-initial word cost 0.03 F1 on CoNLL-2003 dev documents, whose
    datelines and score lines open with names, so the lower-case evidence is required.)"""
    if not words.positions(word.lower()):
        return False
    if start not in starts and not (start and text[start - 1] == "\n"):
        return False
    for pos in words.positions(word):
        if pos not in starts and not (pos and text[pos - 1] == "\n"):
            return False
    return True


def _mentions(text: str, tagged, outlets: set[str], words: _Words) -> list[tuple[int, int, str, str]]:
    """Returns (start, end, type, name) of every tagged name, rules first, in text order."""
    rules = _rule_spans(text, outlets)
    chosen: list[tuple[int, int, str]] = []
    taken = bytearray(len(text) + 1)  # 1 under every chosen span: a later overlapping one loses
    for s, e, kind in sorted(rules, key=lambda r: (r[0], -(r[1] - r[0]))):
        if not any(taken[s:e]):
            chosen.append((s, e, kind))
            taken[s:e] = b"\x01" * (e - s)
    for span in tagged.spans:
        if not any(taken[span.start:span.end]):
            kind = span.type
            if span.alt == "person" and _person_evidence(text, span.start, span.end):
                kind = "person"
            chosen.append((span.start, span.end, kind))
            taken[span.start:span.end] = b"\x01" * (span.end - span.start)
    starts = {s for s, _e in tagged.sentences}
    out = []
    for s, e, kind in sorted(chosen):
        raw = text[s:e]
        name = clean_name(raw)
        if len(name) < 2 or not name[:1].isupper() or "#" in raw or "\n" in raw or re.search(r"\d", name):
            continue
        if kind == "person" and (is_outlet(name, outlets) or _ORG_NAME.search(name)):
            kind = "organization"
        # "SEOUL, Nov. 28 (Yonhap) --", "TOKYO (AP) —", "LONDON 1996-08-30": kept as written
        # (the entity's name prefers another spelling when the text has one)
        dateline = name.isupper() and len(name) > 3 and (s == 0 or text[s - 1] == "\n") \
            and re.match(r"\s*(?:,|\(|\d)", text[e:e + 3]) is not None
        if _JUNK_NAME.search(name) or (" " not in name and kind != "person" and not dateline
                                       and _lone_at_sentence_start(text, starts, words, s, name)):
            continue
        name = _MONTH_TAIL.sub("", name)  # "(Capital Daily Nov. 26)"
        if kind == "person" and (name.isupper() or not re.search(r"[a-z]", name)):
            continue  # "SCM", "JSON": acronyms are not people
        offset = raw.find(name)
        out.append((s + max(offset, 0), s + max(offset, 0) + len(name), kind, name))
    return out


def _cluster(mentions: list[tuple[int, int, str, str]]) -> list[Cluster]:
    """Groups mentions into entities (see the module docstring)."""
    clusters: list[Cluster] = []
    by_key: dict[str, Cluster] = {}
    forms_of: dict[int, set[str]] = {}  # id of a person cluster -> its names' short forms, lower case
    for s, _e, kind, name in mentions:
        if kind == "person" or len(name.split()) == 1:
            target = None
            if len(name.split()) == 1:
                low = name.lower()
                # the nearest earlier person first (clusters are made in text order)
                for c in reversed(clusters):
                    if c.first < s and c.type == "person" and low in forms_of.get(id(c), ()):
                        target = c
                        break
            if target is not None:
                continue  # a short form is counted later, never offered as the name
            if kind == "person":
                key = entity_key(name, "person")
                target = by_key.get(key)
                if target is None:
                    # an earlier bare "Kim" becomes this "Kim Do-yun"
                    shorts = {f.lower() for f in short_forms(name)}
                    for c in clusters:
                        only = next(iter(c.names)) if len(c.names) == 1 else ""
                        if c.type == "person" and " " not in only and only.lower() in shorts:
                            target = c
                            break
                if target is None:
                    target = Cluster("person", first=s)
                    clusters.append(target)
                by_key[key] = target
                target.names[name] += 1
                forms_of.setdefault(id(target), set()).update(f.lower() for f in short_forms(name))
                continue
        key = entity_key(name, "x")
        target = by_key.get(key)
        if target is None:
            target = Cluster(kind, first=s)
            by_key[key] = target
            clusters.append(target)
        target.names[name] += 1
        target.votes[kind] += 1
    for c in clusters:
        if c.votes:
            c.type = max(c.votes, key=lambda t: (c.votes[t], t == "organization"))
    # "Hanseong" after "Hanseong Heavy Industries" is the same organisation
    for c in [c for c in clusters if c.type == "organization" and all(" " not in n for n in c.names)]:
        word = next(iter(c.names))
        longer = [o for o in clusters if o is not c and o.type == "organization"
                  and any(n.startswith(word + " ") for n in o.names)]
        if len(longer) == 1:
            longer[0].names.update(c.names)
            longer[0].first = min(longer[0].first, c.first)
            clusters.remove(c)
    return clusters


def _count(text: str, clusters: list[Cluster], words: _Words) -> None:
    """Finds every mention of each entity by its names and short forms (the tagger misses some)."""
    aliases: list[tuple[str, Cluster, bool]] = []
    for c in clusters:
        for n in c.names:
            aliases.append((n, c, False))
            if c.type == "place" and n.upper() != n and n.upper() not in c.names:
                aliases.append((n.upper(), c, False))  # its dateline
        if c.type == "person":
            for n in list(c.names):
                aliases.extend((f, c, True) for f in short_forms(n))
    rivals: dict[str, list[Cluster]] = {}  # the people a short form may stand for
    for alias, c, short in aliases:
        if short:
            rivals.setdefault(alias, []).append(c)
    claimed = bytearray(len(text) + 1)  # 1 under every counted mention: longer names go first
    for alias, c, short in sorted(aliases, key=lambda a: -len(a[0])):
        for start, end in words.find(alias):
            if any(claimed[start:end]):
                continue
            owner = c
            if short:
                before = [x for x in rivals[alias] if x.first <= start]
                owner = max(before, key=lambda x: x.first) if before else c
            owner.mentions.append((start, end))
            claimed[start:end] = b"\x01" * (end - start)
    for c in clusters:
        c.mentions.sort()
        if c.mentions:
            c.first = c.mentions[0][0]


def _drop_lone_surnames(clusters: list[Cluster], text: str) -> None:
    """Drops one-word "people" never given a full name: news names a person in full first, so
    a lone "Busan" or "Parks" is a tagging slip; one that speaks ("Kim said") is kept."""
    for c in list(clusters):
        if c.type == "person" and all(" " not in n for n in c.names):
            said = any(re.match(r"\s+(?:said|says|told|added)\b", text[e:e + 12]) for _s, e in c.mentions)
            if not said:
                clusters.remove(c)


def _expand_org_prefixes(people: list[Cluster], orgs: list[Cluster]) -> None:
    """Reads "Hanseong chief executive" as the role "chief executive" of the organisation the
    article names in full ("Hanseong Heavy Industries")."""
    for c in people:
        for i, r in enumerate(c.roles):
            m = re.match(r"((?:[A-Z][\w&'’-]*\s){1,3})([a-z].*)$", r.role)
            if not m or r.affiliation:
                continue
            prefix = m.group(1).strip()
            full = [o.name for o in orgs if o.name.startswith(prefix + " ")] \
                or [o.name for o in orgs if o.name == prefix]
            if len(full) == 1:
                c.roles[i] = Role(m.group(2), full[0])


def _sentence_start(sentences: list[tuple[int, int]], pos: int) -> int:
    for s, e in sentences:
        if s <= pos < e:
            return s
    return 0


def _add_role(c: Cluster, role: Role | None) -> None:
    if role is not None and all(r.role.lower() != role.role.lower() or r.affiliation != role.affiliation
                                for r in c.roles):
        c.roles.append(role)


def analyse(text: str, tagged, outlets: set[str] | None = None) -> Analysis:
    """Returns the entities and quotes of one text already tagged by ``nlp.tag``."""
    outlets = {o.lower() for o in (outlets or set()) if o}
    words = _Words(text)
    mentions = _mentions(text, tagged, outlets, words)
    clusters = _cluster(mentions)
    _count(text, clusters, words)
    clusters = [c for c in clusters if c.mentions]
    clusters.sort(key=lambda c: c.first)
    _drop_lone_surnames(clusters, text)
    people = [c for c in clusters if c.type == "person"]
    person_mentions = sorted((s, e, c) for c in people for s, e in c.mentions)
    for s, e, c in person_mentions:
        _add_role(c, title_before(text, _sentence_start(tagged.sentences, s), s))
        _add_role(c, apposition_after(text, e))
    _expand_org_prefixes(people, [c for c in clusters if c.type == "organization"])
    paragraphs = _paragraphs(text)
    quoted_all = [(s, e) for q in _quote_spans(text, paragraphs) for s, e in [q]]
    for pos, role in definite_roles(text, quoted_all):
        head = role.split()[-1].lower()
        heads = {head, SYNONYMS.get(head, head)}
        before = [c for s, _e, c in person_mentions if s < pos]
        if not before or any(h in r.role.lower() for c in set(before) for r in c.roles for h in heads):
            continue
        roleless = [c for c in reversed(before) if not c.roles]
        _add_role(roleless[0] if roleless else before[-1], Role(role, None))
    orgs = [(s, e, c) for c in clusters if c.type == "organization" for s, e in c.mentions]

    def resolve(who_start: int, who_end: int, quote_start: int) -> Speaker | None:
        who = text[who_start:who_end].strip(" ,")
        inside = [c for s, e, c in person_mentions if who_start <= s and e <= who_end]
        if inside:  # the subject comes first: "Nam Chang-woo, Bae's long-time patron, called"
            return Speaker(cluster=clusters.index(inside[0]))
        last_word = who.split()[-1].lower() if who.split() else ""
        if re.fullmatch(r"(?:he|she)", who, re.I) or (last_word in ("he", "she") and len(who.split()) <= 3):
            before = [c for s, _e, c in person_mentions if s < min(who_start, quote_start)]
            return Speaker(cluster=clusters.index(before[-1])) if before else None
        m = re.fullmatch(r"[Tt]he\s+(?:[a-z]+\s+){0,3}([a-z]+)", who)
        if m and m.group(1) in _UNNAMED:
            # "the official said" names the unnamed source introduced before ("An official at X")
            intro_re = r"\b(?:[Aa]n?|[Oo]ne)\s+(?:[\w'’-]+\s+){0,5}?" + m.group(1) + _SOURCE_TAIL
            intros = list(re.finditer(intro_re, text[:who_start]))
            intro = intros[-1] if intros else None
            return Speaker(description=intro.group(0) if intro else who, anonymous=True)
        if m and m.group(1) not in ("ministry", "statement", "office", "government", "agency"):
            head = m.group(1)
            before = [c for s, _e, c in person_mentions if s < quote_start]
            fits = [c for c in reversed(before) if any(head in r.role.lower() for r in c.roles)]
            if fits or before:
                return Speaker(cluster=clusters.index((fits or before[::-1])[0]))
        org_inside = [c for s, e, c in orgs if who_start <= s and e <= who_end]
        if org_inside and not re.match(r"(?:a|an)\s", who):
            return Speaker(organization=org_inside[-1].name)
        desc = describe(who)
        if desc is not None:
            return desc
        if re.fullmatch(r"[Tt]he\s+[\w\s-]{2,60}", who):
            return Speaker(description=who, anonymous=False)
        return None

    quotes = find_quotes(text, paragraphs, tagged.sentences, resolve)
    return Analysis([_entity_dict(c) for c in clusters], [_quote_dict(q, clusters) for q in quotes],
                    clusters)


def _quote_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    from .quotes import find_fragments

    return [(f.start, f.end) for f in find_fragments(text, paragraphs)]


def _entity_dict(c: Cluster) -> dict:
    roles: list[str] = []
    affiliations: list[str] = []
    for r in c.roles:
        if r.role and r.role.lower() not in {x.lower() for x in roles}:
            roles.append(r.role)
        if r.affiliation and r.affiliation.lower() not in {x.lower() for x in affiliations}:
            affiliations.append(r.affiliation)
    return {"name": c.name, "type": c.type, "roles": roles, "affiliations": affiliations,
            "mentions": len(c.mentions)}


def _quote_dict(q: Quote, clusters: list[Cluster]) -> dict:
    sp = q.speaker
    speaker = clusters[sp.cluster].name if sp.cluster is not None else sp.organization
    return {"text": q.text, "speaker": speaker, "speaker_description": sp.description,
            "anonymous": sp.anonymous}


def _english(article: Article) -> bool:
    if article.language:
        return article.language.lower().startswith("en")
    letters = [c for c in article.text[:2000] if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) / len(letters) > 0.9


def analyse_texts(texts: list[str], outlets: list[set[str]] | None = None) -> list[Analysis]:
    """Tags and analyses a batch of texts (one model pass for the batch)."""
    from .nlp import tag

    masked = [_mask_chrome(t) for t in texts]
    tagged = tag(masked)
    outlets = outlets or [set() for _ in texts]
    out = []
    for t, tg, o in zip(masked, tagged, outlets, strict=True):
        try:
            out.append(analyse(t, tg, o))
        except (ValueError, IndexError, re.error) as exc:  # a bad article never stops the batch
            log.warning("entities: article starting %r skipped: %s", t[:60], exc)
            out.append(Analysis([], [], []))
    return out


class EntitiesEnricher:
    """Fills ``entities`` and ``quotes`` of English articles (other languages are left empty)."""

    name = "entities"

    def enrich(self, articles: list[Article], store: "Store | None") -> None:
        todo = [a for a in articles if a.text and _english(a)]
        if not todo:
            return
        outlets = [{n for n in (a.outlet, a.credit) if n} for a in todo]
        for article, result in zip(todo, analyse_texts([a.text for a in todo], outlets), strict=True):
            article.entities = result.entities
            article.quotes = result.quotes
