"""Holds the XSS corpus: markup that tries to run script, in plain, obfuscated and broken forms,
and builds the hostile inputs (an HTML page, an RSS feed, a JSONL archive) that carry it.

Every vector, if it ran, would set ``window.__xss`` to its number and call ``alert`` with it, so
a test can tell which one got through. ``{js}`` in a template is that payload (``{n}`` the bare
number); it holds no spaces, quotes or semicolons, so it fits unquoted attributes and URLs.
"""

from __future__ import annotations

import base64
import json
from html import escape

__all__ = ["ODD_ID", "VECTORS", "payload", "vector", "vectors", "hostile_html", "hostile_rss",
           "hostile_jsonl"]

# (kind, template). Kinds: what the vector tries, for the report.
VECTORS: list[tuple[str, str]] = [
    ("script tag", "<script>{js}</script>"),
    ("script tag, mixed case", "<ScRiPt>{js}</sCrIpT>"),
    ("script tag, nested to beat a one-pass filter", "<scr<script>ipt>{js}</scr</script>ipt>"),
    ("script tag, null byte inside", "<scr\x00ipt>{js}</scr\x00ipt>"),
    ("script with data: src", "<script src=\"data:text/javascript,{js}\"></script>"),
    ("event handler: img onerror", "<img src=x onerror=\"{js}\">"),
    ("event handler: img onerror, broken tag", "<img src=x onerror={js}//"),
    ("event handler: null byte in tag", "<img\x00 src=x onerror={js}>"),
    ("event handler: backtick src", "<img src=`x` onerror={js}>"),
    ("event handler: entity-encoded handler body", "<img src=x onerror=\"&#x77;indow.__xss={n}\">"),
    ("event handler: body onload", "<body onload={js}>"),
    ("event handler: details ontoggle", "<details open ontoggle={js}>"),
    ("event handler: input autofocus onfocus", "<input autofocus onfocus={js}>"),
    ("event handler: video source onerror", "<video><source onerror=\"{js}\"></video>"),
    ("event handler: marquee onstart", "<marquee onstart={js}>x</marquee>"),
    ("SVG onload", "<svg onload={js}>"),
    ("SVG with script", "<svg><script>{js}</script></svg>"),
    ("SVG animate onbegin", "<svg><animate onbegin={js} attributeName=x dur=1s>"),
    ("javascript: URL in a link", "<a href=\"javascript:{js}\">click</a>"),
    ("javascript: URL, mixed case in img", "<IMG SRC=JaVaScRiPt:{js}>"),
    ("javascript: URL, tab-obfuscated", "<a href=\"jav&#x09;ascript:{js}\">click</a>"),
    ("javascript: URL, leading control characters", "<a href=\" &#14; javascript:{js}\">x</a>"),
    ("javascript: URL, bare text", "javascript:{js}"),
    ("javascript: URL in iframe", "<iframe src=\"javascript:parent.{js}\"></iframe>"),
    ("javascript: URL in form action", "<form action=\"javascript:{js}\"><button>go</button></form>"),
    ("javascript: URL in meta refresh", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:{js}\">"),
    ("javascript: URL in base href", "<base href=\"javascript:{js}//\">"),
    ("data: URL in iframe srcdoc", "<iframe srcdoc=\"<script>parent.{js}</script>\"></iframe>"),
    ("data: URL in object", "<object data=\"data:text/html,<script>parent.{js}</script>\"></object>"),
    ("data: URL, base64 link", "<a href=\"data:text/html;base64,{b64}\">x</a>"),
    ("data: URL in embed", "<embed src=\"data:image/svg+xml,<svg onload=parent.{js}>\">"),
    ("CSS expression", "<div style=\"width:expression({js})\">x</div>"),
    ("CSS url(javascript:)", "<div style=\"background:url(javascript:{js})\">x</div>"),
    ("CSS @import in style element", "<style>@import 'javascript:{js}';</style>"),
    ("CSS -moz-binding", "<div style=\"-moz-binding:url(data:text/xml,x)\">x</div>"),
    ("entity-encoded script tag", "&lt;script&gt;{js}&lt;/script&gt;"),
    ("decimal-entity img tag", "&#60;img src=x onerror={js}&#62;"),
    ("URL-encoded script tag", "%3Cscript%3E{js}%3C/script%3E"),
    ("JS-escaped script tag", "\\u003cscript\\u003e{js}\\u003c/script\\u003e"),
    ("UTF-7 script tag", "+ADw-script+AD4-{js}+ADw-/script+AD4-"),
    ("attribute breakout, double quote", "\"><script>{js}</script>"),
    ("attribute breakout, single quote", "'><img src=x onerror={js}>"),
    ("textarea breakout", "</textarea><script>{js}</script>"),
    ("title breakout", "</title><script>{js}</script>"),
    ("comment breakout", "--><script>{js}</script><!--"),
    ("comment trick", "<!--<img src=\"--><img src=x onerror={js}//\">"),
    ("mutation XSS through math/style", "<math><mtext><table><mglyph><style><img src=x onerror={js}>"),
    ("noscript mutation", "<noscript><p title=\"</noscript><img src=x onerror={js}>\">"),
    ("URL with markup in it", "https://x.example/<script>{js}</script>"),
    ("URL with a quote break", "https://x.example/\"onmouseover=\"{js}"),
]


# An archive may give any string as an id: links to it must be percent-encoded.
ODD_ID = 'odd id "<i>?q=1#top'


def payload(n: int) -> str:
    """Returns the script of vector n: it sets window.__xss and calls alert."""
    return f"window.__xss={n},alert({n})"


def vector(n: int) -> str:
    """Returns vector n (1-based) with its payload filled in."""
    template = VECTORS[n - 1][1]
    js = payload(n)
    b64 = base64.b64encode(f"<script>parent.{js}</script>".encode()).decode()
    return template.replace("{js}", js).replace("{b64}", b64).replace("{n}", str(n))


def vectors() -> list[tuple[int, str, str]]:
    """Returns (number, kind, vector) for the whole corpus."""
    return [(n, kind, vector(n)) for n, (kind, _) in enumerate(VECTORS, 1)]


_PROSE = ("The council met on Tuesday evening to discuss the harbour budget, and members spoke "
          "at length about the cost of the new pier and the timetable for the works.")


def hostile_html() -> str:
    """Returns an article page whose title, byline, site name and every paragraph carry
    vectors, as raw markup (what a hostile page would send)."""
    all_vectors = vectors()
    body = "\n".join(f"<p>Paragraph {n}. {_PROSE} {v} And the debate went on.</p>"
                     for n, _, v in all_vectors)
    head_vectors = " ".join(v for _, _, v in all_vectors[:6])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Hostile page {escape(head_vectors)} | The Hostile Herald</title>
<meta name="author" content="{escape(vector(41))}">
<meta property="og:site_name" content="Hostile Herald {escape(vector(6))}">
<meta property="og:title" content="Hostile page headline {escape(vector(1))}">
<meta property="article:published_time" content="2026-11-20T09:30:00+00:00">
<link rel="canonical" href="https://hostile.example/news/hostile-page">
</head><body><main><article>
<h1>Hostile page headline {vector(1)}</h1>
<p class="byline">By {vector(41)}</p>
<div class="story-body">
{body}
</div></article></main></body></html>
"""


def hostile_rss() -> str:
    """Returns an RSS feed whose entries carry vectors in titles (as escaped text), in HTML
    descriptions (CDATA, as feeds send markup), in authors and in javascript: links."""
    items = []
    for n, _, v in vectors():
        items.append(f"""<item>
  <title>Feed entry {n} {escape(v)}</title>
  <link>https://hostile.example/feed/{n}</link>
  <guid isPermaLink="false">hostile-{n}</guid>
  <pubDate>Fri, 20 Nov 2026 10:{n % 60:02d}:00 +0000</pubDate>
  <author>{escape(v)}</author>
  <description><![CDATA[<p>{_PROSE}</p><p>{v.replace("]]>", "")}</p><p>{_PROSE}</p>]]></description>
</item>""")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
            f"<title>Hostile feed {escape(vector(16))}</title><link>https://hostile.example/</link>"
            "<description>x</description>\n" + "\n".join(items) + "\n</channel></rss>\n")


def hostile_jsonl() -> str:
    """Returns JSONL articles with vectors in every field a page shows, including a
    javascript: URL where the original link goes, and the newest one with ODD_ID as its id."""
    lines = [json.dumps({"id": ODD_ID, "title": "Odd id article", "outlet": "Outlet odd",
                         "published_at": "2026-11-21T10:00:00+00:00",
                         "text": f"{_PROSE}\n\n{_PROSE}"})]
    for n, _, v in vectors():
        lines.append(json.dumps({
            "id": f"xss-{n}", "title": f"Archive {n} {v}", "outlet": f"Outlet {v}"[:200],
            "byline": v, "url": f"javascript:{payload(n)}" if n % 2 else f"https://x.example/{n}",
            "published_at": f"2026-11-19T10:{n % 60:02d}:00+00:00",
            "text": f"{_PROSE} {v}\n\n{v} {_PROSE}\n\nhttps://x.example/{n}\"><script>{payload(n)}"
                    "</script>",
        }))
    return "\n".join(lines) + "\n"
