"""Posts, edits and deletes comments for the HTML pages and the API alike: checks, rate limits
and automatic moderation in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.exceptions import HTTPException

from ..config import Settings
from ..models import Comment, User
from ..store.base import Store
from .filters import parse_time
from .moderation import DUPLICATE_WINDOW, fingerprint, judge, load_banned_words

__all__ = ["MAX_BODY", "RATE_WINDOW", "Posted", "delete_comment", "edit_comment", "post_comment",
           "thread"]

MAX_BODY = 5000
RATE_WINDOW = timedelta(minutes=10)


@dataclass
class Posted:
    id: int
    status: str


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def _clean_body(body: object) -> str:
    if not isinstance(body, str):
        raise HTTPException(400, "comment: 'body' must be text")
    # Control characters other than newlines and tabs have no place in a comment.
    text = "".join(ch for ch in body.replace("\r\n", "\n") if ch in "\n\t" or ord(ch) >= 32)
    text = text.strip()
    if not text:
        raise HTTPException(400, "comment: the comment is empty")
    if len(text) > MAX_BODY:
        raise HTTPException(400, f"comment: at most {MAX_BODY} characters ({len(text)} given)")
    return text


def _verdict(store: Store, settings: Settings, user: User, body: str,
             exclude_id: int | None = None) -> tuple[str, str | None, str]:
    mark = fingerprint(body)
    if user.can("editor"):  # moderators' own comments are not held for themselves
        return "visible", None, mark
    since = _iso(datetime.now(UTC) - DUPLICATE_WINDOW)
    dup = store.duplicate_comment(mark, since, exclude_id)
    created = parse_time(user.created_at) or datetime.now(UTC)
    verdict = judge(body, account_age=datetime.now(UTC) - created,
                    banned=load_banned_words(settings.web_banned_words_file),
                    duplicate=(dup[0], dup[1] == user.id) if dup else None)
    return verdict.status, verdict.reason, mark


def post_comment(store: Store, settings: Settings, user: User, article_id: str, body: object,
                 parent_id: object = None) -> Posted:
    """Stores a comment or a reply (held for a moderator when a rule flags it); raises 400, 404
    or 429 with a one-line message."""
    text = _clean_body(body)
    if store.get_article(article_id) is None:
        raise HTTPException(404, f"comment: no article {article_id!r}")
    parent: int | None = None
    if parent_id not in (None, ""):
        try:
            parent = int(str(parent_id))
        except ValueError:
            raise HTTPException(400, "comment: 'parent_id' must be a comment number") from None
        found = store.get_comment(parent)
        if found is None or found.article_id != article_id or found.status in ("rejected",
                                                                               "deleted"):
            raise HTTPException(400, f"comment: no comment #{parent} to reply to on this article")
    if not user.can("editor"):
        since = _iso(datetime.now(UTC) - RATE_WINDOW)
        if store.recent_comment_count(user.id, since) >= settings.web_comment_rate_limit:
            raise HTTPException(429, f"comment: at most {settings.web_comment_rate_limit} "
                                     "comments in 10 minutes; try again later",
                                headers={"Retry-After": str(int(RATE_WINDOW.total_seconds()))})
    status, reason, mark = _verdict(store, settings, user, text)
    return Posted(store.add_comment(article_id, user.id, parent, text, status, reason, mark), status)


def _own(store: Store, user: User, comment_id: int, moderator_ok: bool) -> Comment:
    comment = store.get_comment(comment_id)
    if comment is None or comment.status == "deleted":
        raise HTTPException(404, f"comment: no comment #{comment_id}")
    if comment.user_id != user.id and not (moderator_ok and user.can("editor")):
        raise HTTPException(403, "comment: only its author can change this comment")
    return comment


def edit_comment(store: Store, settings: Settings, user: User, comment_id: int,
                 body: object) -> Posted:
    """Replaces a comment's text (its author only); the new text is judged afresh."""
    comment = _own(store, user, comment_id, moderator_ok=False)
    if comment.status == "rejected":
        raise HTTPException(403, "comment: a rejected comment cannot be edited")
    text = _clean_body(body)
    status, reason, mark = _verdict(store, settings, user, text, exclude_id=comment_id)
    store.edit_comment(comment_id, text, status, reason, mark)
    return Posted(comment_id, status)


def delete_comment(store: Store, user: User, comment_id: int) -> Comment:
    """Deletes a comment (its author or a moderator); replies keep their place."""
    comment = _own(store, user, comment_id, moderator_ok=True)
    store.set_comment_status(comment_id, "deleted")
    return comment


@dataclass
class Node:
    comment: Comment
    children: list["Node"]


def thread(comments: list[Comment]) -> list[Node]:
    """Arranges comments as threads: replies under their parent, oldest first at each level."""
    nodes = {c.id: Node(c, []) for c in comments}
    roots: list[Node] = []
    for c in comments:
        parent = nodes.get(c.parent_id) if c.parent_id is not None else None
        (parent.children if parent else roots).append(nodes[c.id])

    def prune(items: list[Node]) -> list[Node]:
        # A deleted comment with no surviving replies has nothing left to show.
        kept = []
        for node in items:
            node.children = prune(node.children)
            if node.comment.status != "deleted" or node.children:
                kept.append(node)
        return kept

    return prune(roots)
