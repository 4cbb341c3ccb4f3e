"""Reads and writes the entity tables: entities, their mentions and roles per article, quotes.

An article's ``entities`` and ``quotes`` (its JSON) stay in the articles table; these tables
index them by entity so that an entity page can list a person's roles over time, the articles
naming them, their quotes and who appears beside them. Rows are written in the transaction
that stores the article.
"""

from __future__ import annotations

import sqlite3

from ..enrich.entitynames import entity_key
from ..models import Article, EntityRole, EntitySummary, QuoteRecord
from .articles import SELECT_ARTICLES, row_to_article
from .base import SaveResult
from .timestamps import now_iso, sortable

__all__ = ["save", "save_created", "list_entities", "get", "find", "roles", "articles_of", "quotes_of",
           "co_mentioned"]

_TYPES = ("person", "organization", "place", "other")


def _rows_of_roles(entity: dict) -> list[tuple[str | None, str | None]]:
    """Pairs an entity's roles with its affiliations: one affiliation goes with every role;
    several stay as rows of their own, since the article JSON does not say which goes with
    which."""
    roles = [r for r in entity.get("roles") or [] if r]
    affiliations = [a for a in entity.get("affiliations") or [] if a]
    if len(affiliations) == 1:
        return [(r, affiliations[0]) for r in roles] or [(None, affiliations[0])]
    return [(r, None) for r in roles] + [(None, a) for a in affiliations]


def save_created(conn: sqlite3.Connection, batch: list[Article], results: list[SaveResult]) -> None:
    """Indexes the articles of a batch that were newly stored (a known article is indexed)."""
    for article, result in zip(batch, results, strict=True):
        if result.created:
            save(conn, article)


_UPSERT = (
    "INSERT INTO entities(key, name, type, articles, first_seen, last_seen) "
    "VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT(key) DO UPDATE SET "
    # the stored row is named in full: PostgreSQL finds a bare column name ambiguous
    "first_seen = CASE WHEN entities.first_seen IS NULL OR excluded.first_seen < "
    "entities.first_seen THEN excluded.first_seen ELSE entities.first_seen END, "
    "last_seen = CASE WHEN entities.last_seen IS NULL OR excluded.last_seen > "
    "entities.last_seen THEN excluded.last_seen ELSE entities.last_seen END, "
    # a spelling not in capitals ("Seoul" over a dateline's "SEOUL"), else the longer one
    "name = CASE WHEN entities.name = upper(entities.name) AND excluded.name != "
    "upper(excluded.name) THEN excluded.name WHEN excluded.name = upper(excluded.name) AND "
    "entities.name != upper(entities.name) THEN entities.name "
    "WHEN length(excluded.name) > length(entities.name) THEN excluded.name "
    "ELSE entities.name END")


def save(conn: sqlite3.Connection, article: Article) -> None:
    """Indexes the entities and quotes of a newly stored article.

    Rows go in a few ``executemany`` calls rather than a statement per entity (on PostgreSQL
    each statement is a round trip, under the ordered-steps lock). The article is new, so its
    only mention that already exists is an earlier one of the same key in this article: the
    first mention of a key counts, as ``INSERT OR IGNORE`` would have it.
    """
    if not article.entities and not article.quotes:
        return
    article_id = article.ensure_id()
    published = article.published_at
    sort_at = sortable(published) or now_iso()
    keys: dict[str, str] = {}  # name -> key used here, so a quote's speaker gets the same key
    upserts: list[tuple] = []
    mentions: list[tuple] = []
    roles: list[tuple] = []
    for entity in article.entities or []:
        name, kind = entity.get("name"), entity.get("type")
        if not name or kind not in _TYPES:
            continue
        key = entity_key(name, kind)
        if kind == "person" and " " not in name.strip():
            if upserts:  # the lookup must see this article's people named so far
                conn.executemany(_UPSERT, upserts)
                upserts = []
            key = _known_person(conn, name) or key
        keys.setdefault(name, key)
        upserts.append((key, name, kind, sort_at, sort_at))
        if any(m[0] == key for m in mentions):
            continue
        mentions.append((key, article_id, name, int(entity.get("mentions") or 1), published, sort_at))
        roles += [(key, article_id, role, affiliation, published, sort_at)
                  for role, affiliation in _rows_of_roles(entity)]
    conn.executemany(_UPSERT, upserts)
    conn.executemany("INSERT INTO entity_mentions(entity_key, article_id, name, mentions, "
                     "published_at, sort_at) VALUES (?, ?, ?, ?, ?, ?)", mentions)
    conn.executemany("UPDATE entities SET articles = articles + 1 WHERE key = ?",
                     [(m[0],) for m in mentions])
    conn.executemany("INSERT INTO entity_roles(entity_key, article_id, role, affiliation, "
                     "published_at, sort_at) VALUES (?, ?, ?, ?, ?, ?)", roles)
    conn.executemany(
        "INSERT INTO quotes(article_id, position, text, speaker, speaker_key, speaker_description, "
        "anonymous, published_at, sort_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(article_id, position, quote.get("text") or "", quote.get("speaker"),
          (keys.get(quote["speaker"]) or entity_key(quote["speaker"], "person"))
          if quote.get("speaker") else None, quote.get("speaker_description"),
          1 if quote.get("anonymous") else 0, published, sort_at)
         for position, quote in enumerate(article.quotes or [])])


def _known_person(conn: sqlite3.Connection, name: str) -> str | None:
    """Returns the key of the one stored person a bare family name can mean ("Whitfield" ->
    "Laura Whitfield"), or None when there are none or several."""
    like = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute("SELECT key FROM entities WHERE type = 'person' AND (name LIKE ? ESCAPE '\\' "
                        "OR name LIKE ? ESCAPE '\\') LIMIT 2", ("% " + like, like + " %")).fetchall()
    return rows[0]["key"] if len(rows) == 1 else None


def _summary(row: sqlite3.Row) -> EntitySummary:
    return EntitySummary(key=row["key"], name=row["name"], type=row["type"], articles=row["articles"],
                         first_seen=row["first_seen"], last_seen=row["last_seen"])


def list_entities(conn: sqlite3.Connection, kind: str | None, limit: int, offset: int) -> list[EntitySummary]:
    """Returns entities, the most written about first."""
    if kind is not None and kind not in _TYPES:
        raise ValueError(f"entities: unknown type {kind!r} (expected one of {', '.join(_TYPES)})")
    if kind:
        rows = conn.execute("SELECT * FROM entities WHERE type = ? ORDER BY articles DESC, name "
                            "LIMIT ? OFFSET ?", (kind, limit, offset))
    else:
        rows = conn.execute("SELECT * FROM entities ORDER BY articles DESC, name LIMIT ? OFFSET ?",
                            (limit, offset))
    return [_summary(r) for r in rows]


def get(conn: sqlite3.Connection, key: str) -> EntitySummary | None:
    row = conn.execute("SELECT * FROM entities WHERE key = ?", (key,)).fetchone()
    return _summary(row) if row else None


def find(conn: sqlite3.Connection, name: str, kind: str) -> EntitySummary | None:
    """Returns the stored entity an article's entity (name and type) was indexed under."""
    found = get(conn, entity_key(name, kind))
    if found is None and kind == "person" and " " not in name.strip():
        key = _known_person(conn, name)
        found = get(conn, key) if key else None
    return found


def roles(conn: sqlite3.Connection, key: str) -> list[EntityRole]:
    """Returns the roles articles gave an entity, oldest article first."""
    rows = conn.execute("SELECT role, affiliation, article_id, published_at FROM entity_roles "
                        "WHERE entity_key = ? ORDER BY sort_at, id", (key,))
    return [EntityRole(r["role"], r["affiliation"], r["article_id"], r["published_at"]) for r in rows]


def articles_of(conn: sqlite3.Connection, key: str, limit: int, offset: int) -> list[Article]:
    """Returns the articles that mention an entity, newest first."""
    rows = conn.execute(
        SELECT_ARTICLES + "JOIN entity_mentions m ON m.article_id = a.id WHERE m.entity_key = ? "
        "ORDER BY m.sort_at DESC, a.rowid DESC LIMIT ? OFFSET ?", (key, limit, offset))
    return [row_to_article(r) for r in rows]


def quotes_of(conn: sqlite3.Connection, key: str, limit: int) -> list[QuoteRecord]:
    """Returns the quotes attributed to an entity, newest first."""
    rows = conn.execute("SELECT * FROM quotes WHERE speaker_key = ? ORDER BY sort_at DESC, id LIMIT ?",
                        (key, limit))
    return [QuoteRecord(r["article_id"], r["text"], r["speaker"], r["speaker_description"],
                        bool(r["anonymous"]), r["published_at"]) for r in rows]


def co_mentioned(conn: sqlite3.Connection, key: str, limit: int) -> list[tuple[EntitySummary, int]]:
    """Returns the entities most often named in the same articles, with the shared count."""
    rows = conn.execute(
        "SELECT e.*, count(*) AS shared FROM entity_mentions m "
        "JOIN entity_mentions o ON o.article_id = m.article_id AND o.entity_key != m.entity_key "
        "JOIN entities e ON e.key = o.entity_key WHERE m.entity_key = ? "
        "GROUP BY e.key ORDER BY shared DESC, e.articles DESC, e.name LIMIT ?", (key, limit))
    return [(_summary(r), int(r["shared"])) for r in rows]
