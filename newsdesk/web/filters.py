"""Formats articles for the HTML templates: ages, dates, excerpts, paragraphs, safe links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment
from markupsafe import Markup, escape

__all__ = [
    "absolute_time",
    "age",
    "age_text",
    "article_path",
    "comment_html",
    "outlet_page_path",
    "story_path",
    "credit",
    "excerpt",
    "install",
    "outlet_path",
    "paragraphs",
    "parse_time",
    "web_url",
]

# Past this many days an age reads as a date: "3 days ago" helps, "23 days ago" makes readers count.
_DAYS_AS_AGE = 7
_EXCERPT_CHARS = 200


def parse_time(value: datetime | str | None) -> datetime | None:
    """Returns an aware datetime for an ISO 8601 string or datetime; naive values are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'} ago"


def absolute_time(value: datetime | str | None) -> str:
    """Returns the full time as written in the article's own offset: "28 Nov 2025, 07:52 +09:00"."""
    when = parse_time(value)
    if when is None:
        return ""
    offset = when.strftime("%z")
    offset = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return f"{when.day} {when.strftime('%b %Y, %H:%M')} {offset}"


def age_text(value: datetime | str | None, now: datetime | None = None) -> str:
    """Returns how long ago a time was: "just now", "6 hours ago", "yesterday", "3 days ago",
    or the date ("28 Nov 2025") when older than a week or in the future."""
    when = parse_time(value)
    if when is None:
        return ""
    delta = _now(now) - when
    # A few minutes in the future is clock skew between the outlet and us, not a scheduled story.
    if timedelta(minutes=-5) <= delta < timedelta(minutes=1):
        return "just now"
    if delta < timedelta(0):
        return f"{when.day} {when.strftime('%b %Y')}"
    if delta < timedelta(hours=1):
        return _plural(int(delta.total_seconds() // 60), "minute")
    if delta < timedelta(days=1):
        return _plural(int(delta.total_seconds() // 3600), "hour")
    if delta < timedelta(days=2):
        return "yesterday"
    if delta < timedelta(days=_DAYS_AS_AGE):
        return _plural(delta.days, "day")
    return f"{when.day} {when.strftime('%b %Y')}"


def age(value: datetime | str | None, now: datetime | None = None) -> Markup:
    """Returns a <time> element whose text is the age and whose title is the absolute time."""
    when = parse_time(value)
    if when is None:
        return Markup("")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        when.isoformat(), absolute_time(when), age_text(when, now)
    )


def excerpt(text: str | None, limit: int = _EXCERPT_CHARS) -> str:
    """Returns the start of a text, whitespace folded, cut at a word boundary near ``limit``."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    # Cut at the last space unless that would throw away most of the excerpt (one very long word).
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def paragraphs(text: str | None) -> list[str]:
    """Splits plain text into paragraphs on blank lines; lines inside a paragraph are joined."""
    out = []
    for block in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n\n"):
        joined = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if joined:
            out.append(joined)
    return out


def web_url(url: str | None) -> str | None:
    """Returns the URL when it is an absolute http(s) URL with a host, else None (not a link)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    return url


def credit(value: str | None) -> str:
    """Returns a wire credit as shown after a text: "Yonhap" or "(Yonhap)" both give "(Yonhap)"."""
    name = (value or "").strip().strip("()").strip()
    return f"({name})" if name else ""


def outlet_path(outlet: str) -> str:
    """Returns the path of the home page filtered to one outlet."""
    return "/?" + urlencode({"outlet": outlet})


def article_path(article_id: str) -> str:
    """Returns the path of an article page, its id percent-encoded."""
    return "/articles/" + quote(str(article_id), safe="")


def outlet_page_path(outlet: str) -> str:
    """Returns the path of an outlet's own page."""
    return "/outlets/" + quote(str(outlet), safe="")


def story_path(story_id: str) -> str:
    return "/stories/" + quote(str(story_id), safe="")


_URL_IN_TEXT = re.compile(r"\bhttps?://[^\s<>\"']+", re.I)


def comment_html(body: str | None) -> Markup:
    """Returns a comment as HTML: text escaped, paragraphs and line breaks kept, and http(s)
    URLs made links that pass no referrer and no ranking (rel=nofollow ugc)."""
    out = []
    for block in (body or "").replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        parts, last = [], 0
        for m in _URL_IN_TEXT.finditer(block):
            url = m.group(0).rstrip(".,;:!?)]")
            parts.append(escape(block[last:m.start()]))
            safe = web_url(url)
            parts.append(Markup('<a href="{}" rel="nofollow ugc noopener noreferrer">{}</a>')
                         .format(safe, url) if safe else escape(url))
            last = m.start() + len(url)
        parts.append(escape(block[last:]))
        html = Markup("").join(parts).strip().replace("\n", Markup("<br>"))
        out.append(Markup("<p>{}</p>").format(html))
    return Markup("").join(out)


def install(env: Environment) -> None:
    """Registers the filters on a Jinja environment."""
    env.filters.update(
        age=age,
        age_text=age_text,
        absolute_time=absolute_time,
        excerpt=excerpt,
        paragraphs=paragraphs,
        web_url=web_url,
        credit=credit,
        outlet_path=outlet_path,
        article_path=article_path,
        outlet_page_path=outlet_page_path,
        story_path=story_path,
        comment_html=comment_html,
    )
