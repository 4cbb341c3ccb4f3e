"""Builds the article page's enrichment panel from the article's own fields: its summary with
each cited sentence linked to the body, the people named with their roles, the key quotes with
their speakers, and its hashtags. Each part is present only when the article carries its data;
the fields are JSON from enrichment steps, so anything malformed is skipped, never shown raw."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..enrich.entitynames import entity_key
from ..enrich.sentences import split_sentences
from ..models import Article
from ..store.base import Store

__all__ = ["ArticleView", "article_view", "MAX_PEOPLE", "MAX_QUOTES"]

MAX_PEOPLE, MAX_QUOTES, MAX_HASHTAGS = 8, 5, 8


@dataclass
class ArticleView:
    # Body as paragraphs of (sentence index, sentence text); None means "use plain paragraphs".
    sentences: list[list[tuple[int, str]]] | None = None
    summary: list[tuple[int | None, str]] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)  # {name, roles: [..], affiliations: [..]}
    quotes: list[dict] = field(default_factory=list)  # {text, speaker, description}
    hashtags: list[str] = field(default_factory=list)

    @property
    def has_panel(self) -> bool:
        return bool(self.summary or self.people or self.quotes)


def _strings(value: object) -> list[str]:
    return [v.strip() for v in value if isinstance(v, str) and v.strip()] if isinstance(
        value, list) else []


def _summary(article: Article) -> tuple[list[tuple[int | None, str]], list[list[tuple[int, str]]] | None]:
    items = [s for s in article.summary or [] if isinstance(s, dict) and isinstance(s.get("text"), str)]
    if not items:
        return [], None
    sentences = split_sentences(article.text or "")
    paragraphs: dict[int, list[tuple[int, str]]] = {}
    for s in sentences:
        paragraphs.setdefault(s.paragraph, []).append((s.index, s.text))
    out = []
    for item in items:
        index = item.get("source_sentence")
        cited = index if isinstance(index, int) and 0 <= index < len(sentences) else None
        out.append((cited, item["text"].strip()))
    return out, [paragraphs[k] for k in sorted(paragraphs)]


def _people(article: Article) -> list[dict]:
    people = []
    for entity in article.entities or []:
        if not isinstance(entity, dict) or entity.get("type") != "person":
            continue
        name = entity.get("name")
        roles, affiliations = _strings(entity.get("roles")), _strings(entity.get("affiliations"))
        if isinstance(name, str) and name.strip() and (roles or affiliations):
            mentions = entity.get("mentions") if isinstance(entity.get("mentions"), int) else 1
            people.append({"name": name.strip(), "roles": roles, "affiliations": affiliations,
                           "mentions": mentions})
    people.sort(key=lambda p: -p["mentions"])
    return people[:MAX_PEOPLE]


def _quotes(article: Article) -> list[dict]:
    quotes = []
    for quote in article.quotes or []:
        if not isinstance(quote, dict) or not isinstance(quote.get("text"), str):
            continue
        speaker = quote.get("speaker") if isinstance(quote.get("speaker"), str) else None
        description = quote.get("speaker_description")
        quotes.append({"text": quote["text"].strip(), "speaker": speaker,
                       "description": description if isinstance(description, str) else None})
    # Quotes with a named speaker first, then the longer ones: those carry the story.
    quotes.sort(key=lambda q: (q["speaker"] is None, -len(q["text"])))
    return quotes[:MAX_QUOTES]


def article_view(article: Article, store: Store | None = None) -> ArticleView:
    """Returns the enrichment panel's parts for one article; with a store, people and speakers
    the store has an entity page for link to it."""
    summary, sentences = _summary(article)
    view = ArticleView(sentences=sentences, summary=summary, people=_people(article),
                       quotes=_quotes(article), hashtags=_strings(article.hashtags)[:MAX_HASHTAGS])
    known: dict[str, str | None] = {}
    for item in [*view.people, *view.quotes]:
        name = item.get("name") or item.get("speaker")
        if name and store is not None and name not in known:
            key = entity_key(name, "person")
            known[name] = key if store.get_entity(key) is not None else None
        item["key"] = known.get(name) if name else None
    return view
