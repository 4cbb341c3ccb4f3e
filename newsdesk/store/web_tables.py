"""Gathers the store modules of the web app's own tables: accounts, comments, tokens, follows."""

from . import comments, coverage, follows, tokens, users

__all__ = ["comments", "coverage", "follows", "tokens", "users"]
