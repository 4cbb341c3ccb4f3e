"""Searches the archive (BM25 and vectors, fused) and answers questions with cited sentences.

    search(store, query, *, filters, limit, settings) -> [{id, title, outlet, published_at,
                                                            story_id, score, snippet, copies}]
    ask(store, question, settings) -> {"answer": str | None, "citations": [...]}

Both take any user string; see ``query`` for the query syntax ("exact phrase", -exclude, OR).
"""

from __future__ import annotations

from ..store.search import SearchFilters
from .ask import ask
from .hybrid import MODES, search
from .query import ParsedQuery, parse_query
from .vectorindex import vector_index

__all__ = ["search", "ask", "SearchFilters", "parse_query", "ParsedQuery", "vector_index", "MODES"]
