"""Writes lists of articles as RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from starlette.responses import Response

from ..models import Article
from .filters import article_path, excerpt, parse_time, web_url

__all__ = ["FORMATS", "FeedInfo", "feed_response", "render_feed"]

FORMATS = {"rss": "application/rss+xml", "atom": "application/atom+xml",
           "json": "application/feed+json"}
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class FeedInfo:
    title: str
    page_url: str  # absolute URL of the HTML page the feed mirrors
    feed_url: str  # absolute URL of this feed (without its extension)
    description: str = ""


def _x(text: str | None) -> str:
    return escape(_XML_BAD.sub("", text or ""))


def _entries(articles: list[Article], base: str) -> list[dict]:
    out = []
    for a in articles:
        when = parse_time(a.published_at)
        out.append({"id": a.id, "title": a.title or "Untitled", "link": base + article_path(a.id),
                    "source": web_url(a.url), "outlet": a.outlet, "when": when,
                    "summary": excerpt(a.text, 400)})
    return out


def _rss(info: FeedInfo, entries: list[dict]) -> str:
    items = []
    for e in entries:
        parts = [f"<title>{_x(e['title'])}</title>", f"<link>{_x(e['link'])}</link>",
                 f'<guid isPermaLink="true">{_x(e["link"])}</guid>',
                 f"<description>{_x(e['summary'])}</description>"]
        if e["when"]:
            parts.append(f"<pubDate>{format_datetime(e['when'].astimezone(UTC))}</pubDate>")
        if e["outlet"]:
            parts.append(f"<source url={quoteattr(e['source'] or e['link'])}>{_x(e['outlet'])}</source>")
        items.append("<item>" + "".join(parts) + "</item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            f"<title>{_x(info.title)}</title><link>{_x(info.page_url)}</link>"
            f"<description>{_x(info.description or info.title)}</description>"
            f'<atom:link href={quoteattr(info.feed_url + ".rss")} rel="self" '
            'type="application/rss+xml"/>' + "".join(items) + "</channel></rss>\n")


def _atom(info: FeedInfo, entries: list[dict]) -> str:
    def stamp(when: datetime | None) -> str:
        return (when or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC).isoformat()

    updated = max((e["when"] for e in entries if e["when"]), default=None)
    items = []
    for e in entries:
        author = f"<author><name>{_x(e['outlet'])}</name></author>" if e["outlet"] else ""
        items.append(f"<entry><title>{_x(e['title'])}</title><id>{_x(e['link'])}</id>"
                     f"<link href={quoteattr(e['link'])}/><updated>{stamp(e['when'])}</updated>"
                     f"{author}<summary>{_x(e['summary'])}</summary></entry>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{_x(info.title)}</title><id>{_x(info.feed_url)}</id>"
            f"<link href={quoteattr(info.page_url)}/>"
            f'<link rel="self" href={quoteattr(info.feed_url + ".atom")}/>'
            f"<updated>{stamp(updated)}</updated><author><name>newsdesk</name></author>"
            + "".join(items) + "</feed>\n")


def _json(info: FeedInfo, entries: list[dict]) -> str:
    items = []
    for e in entries:
        item = {"id": e["link"], "url": e["link"], "title": e["title"], "content_text": e["summary"]}
        if e["source"]:
            item["external_url"] = e["source"]
        if e["when"]:
            item["date_published"] = e["when"].isoformat()
        if e["outlet"]:
            item["authors"] = [{"name": e["outlet"]}]
        items.append(item)
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": info.title,
           "home_page_url": info.page_url, "feed_url": info.feed_url + ".json",
           "description": info.description or info.title, "items": items}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def render_feed(fmt: str, info: FeedInfo, articles: list[Article], base: str) -> str:
    """Returns the feed document in ``fmt`` (rss, atom or json); ``base`` is the site's URL."""
    writer = {"rss": _rss, "atom": _atom, "json": _json}[fmt]
    return writer(info, _entries(articles, base))


def feed_response(fmt: str, info: FeedInfo, articles: list[Article], base: str) -> Response:
    return Response(render_feed(fmt, info, articles, base),
                    media_type=FORMATS[fmt] + ("" if fmt == "json" else "; charset=utf-8"))
