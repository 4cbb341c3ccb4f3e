"""newsdesk: a self-hosted AI news desk.

The public Python API: settings, the data objects, the store, and the pipeline that drives
INPUTs through extract -> enrich -> store.
"""

from .config import Settings, load_settings
from .errors import (
    BlockedURLError,
    ConfigError,
    ExtractError,
    FeedError,
    FetchError,
    InputError,
    NewsdeskError,
    StoreError,
)
from .models import Article, Feed, FeedEntry, RawDocument

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Settings",
    "load_settings",
    "Article",
    "Feed",
    "FeedEntry",
    "RawDocument",
    "NewsdeskError",
    "ConfigError",
    "InputError",
    "FetchError",
    "BlockedURLError",
    "FeedError",
    "ExtractError",
    "StoreError",
    "open_store",
    "Pipeline",
]


def __getattr__(name: str):
    # The store and pipeline pull in httpx, trafilatura and lxml: load them on first use so
    # `import newsdesk` stays cheap.
    if name == "open_store":
        from .store import open_store

        return open_store
    if name == "Pipeline":
        from .pipeline import Pipeline

        return Pipeline
    raise AttributeError(name)
