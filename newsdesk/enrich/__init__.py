"""Runs enrichment steps over new articles before they are stored.

Every step, built in or outside, is an ``Enricher``: a name and ``enrich(articles, store)``
that fills fields of the articles in place. Built-in steps are listed in ``BUILTIN_ENRICHERS``;
outside packages register theirs under the ``newsdesk.enrichers`` entry-point group (a class or
factory taking no arguments). One pipeline runs them in order (Datasette's DEFAULT_PLUGINS habit).
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Callable, Protocol, runtime_checkable

from ..models import Article

if TYPE_CHECKING:
    from ..config import Settings
    from ..store import Store

__all__ = ["Enricher", "BUILTIN_ENRICHERS", "load_enrichers", "run_enrichers", "is_ordered"]

log = logging.getLogger(__name__)


@runtime_checkable
class Enricher(Protocol):
    """One enrichment step; it reads earlier articles from the store and keeps its own state
    there through the index the store gives it (``copy_index()``, ``story_index()``), never
    writing articles itself. Those indexes stage their writes until ``Store.save_articles``
    stores them with the batch in one transaction (docs/stories.md, crash consistency).

    ``store`` is None when articles are enriched without a database (``extract --enrich``).

    A step that reads or stages index state, or reads what such a step set (``duplicate_of``,
    ``story_id``), sets the class attribute ``ordered = True``: ordered steps run one batch at a
    time under ``Store.exclusive()``, in input order, in the process that writes. The others
    (no attribute, or False) are stateless: they see only the batch's articles, run before the
    ordered ones, outside the lock, and on the Ray runner in worker processes with ``store``
    None (``is_ordered``, docs/scale-out.md).
    """

    name: str

    def enrich(self, articles: list[Article], store: "Store | None") -> None: ...


def _copies(settings: "Settings | None") -> Enricher:
    from .copies import CopiesEnricher

    return CopiesEnricher()


def _embeddings(settings: "Settings | None") -> Enricher:
    from .embeddings import EmbeddingsEnricher

    return EmbeddingsEnricher(settings.embedding_model or None if settings else None)


def _stories(settings: "Settings | None") -> Enricher:
    from .stories import StoriesEnricher

    return StoriesEnricher()


# Factories of the built-in steps (given the settings), in the order they run: copies first,
# so a copy joins its original's story without being clustered; then one embedding per
# article; then stories. Outside packages' steps run after these.
BUILTIN_ENRICHERS: list[Callable[["Settings | None"], Enricher]] = [_copies, _embeddings,
                                                                    _stories]


# -- entities, roles, quotes (issue 4) -------------------------------------------------------
def _entities(settings: "Settings | None") -> Enricher:
    from .entities import EntitiesEnricher

    return EntitiesEnricher()


# People, organisations, places and quotes come after stories and before the steps that may
# read them (keywords, summaries).
BUILTIN_ENRICHERS += [_entities]


# -- keywords, hashtags, summaries (issue 4) ---------------------------------------------------
def _keywords(settings: "Settings | None") -> Enricher:
    from .keywords import KeywordsEnricher

    return KeywordsEnricher()


def _summaries(settings: "Settings | None") -> Enricher:
    from .summaries import SummariesEnricher

    return SummariesEnricher()


# They read only the article itself (and its entities, when a step before them found some), so
# they run after the steps listed above.
BUILTIN_ENRICHERS += [_keywords, _summaries]


def load_enrichers(settings: "Settings | None" = None) -> list[Enricher]:
    """Returns the built-in steps followed by those registered by installed packages."""
    steps = [factory(settings) for factory in BUILTIN_ENRICHERS]
    for ep in sorted(entry_points(group="newsdesk.enrichers"), key=lambda e: e.name):
        step = ep.load()()
        if not isinstance(step, Enricher):
            raise TypeError(f"enrich: entry point {ep.name!r} gives no Enricher")
        steps.append(step)
    return steps


def is_ordered(step: Enricher) -> bool:
    """Tells whether a step must run under the store's lock, in order (``ordered = True``)."""
    return bool(getattr(step, "ordered", False))


def run_enrichers(steps: list[Enricher], articles: list[Article], store: "Store | None") -> None:
    """Runs each step over the batch in order."""
    for step in steps:
        log.debug("enrich: %s over %d articles", step.name, len(articles))
        step.enrich(articles, store)
