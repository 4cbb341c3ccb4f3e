"""Runs feedparser's ill-formed, encoding and entity test feeds, and hostile documents, through
the feed reader: each gives a ParsedFeed or a one-line FeedError, never anything else."""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import pytest

from newsdesk.errors import FeedError
from newsdesk.ingest.feeds import ParsedFeed, entry_to_article, looks_like_feed, parse_feed
from newsdesk.models import Article

BADINPUT = Path(__file__).resolve().parents[2].parent / "shared/datasets/feeds-badinput"
FILES = sorted(BADINPUT.rglob("*.xml")) if BADINPUT.is_dir() else []
needs_dataset = pytest.mark.skipif(not FILES, reason=f"{BADINPUT} not present")


def _header_content_type(data: bytes) -> str | None:
    """Returns the Content-type that the file's "Header:" comment says it was served with."""
    for codec in ("utf-8", "utf-16", "utf-32"):
        try:
            head = data[:2000].decode(codec, "ignore")
        except UnicodeError:
            continue
        match = re.search(r"Header:\s*Content-type:\s*(.+)", head)
        if match:
            return match.group(1).strip()
    return None


def _outcome(content: bytes, url: str | None = "https://feeds.example/feed", content_type=None):
    """Returns the ParsedFeed, or the FeedError; any other exception fails the test."""
    try:
        parsed = parse_feed(content, url, content_type)
    except FeedError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("feeds: ")
        return exc
    assert isinstance(parsed, ParsedFeed)
    assert parsed.warning is None or "\n" not in parsed.warning
    for entry in parsed.entries:
        assert isinstance(entry.guid, str) and entry.guid
        article = entry_to_article(entry, parsed)
        assert article is None or isinstance(article, Article)
    return parsed


@needs_dataset
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BADINPUT)))
def test_badinput_file_gives_parsed_feed_or_one_line_feed_error(path):
    data = path.read_bytes()
    content_type = _header_content_type(data)
    assert isinstance(looks_like_feed(data, content_type), bool)
    _outcome(data, content_type=content_type)


@needs_dataset
def test_badinput_entity_titles_decode_as_feedparser_expects():
    # Each entities/*.xml states the title it must give: "Expect: feed['title'] == '...'".
    checked = 0
    for path in sorted((BADINPUT / "entities").glob("*.xml")):
        text = path.read_text("utf-8")
        match = re.search(r"Expect:\s*feed\['title'\] == u?'(.*)'\s*$", text, re.M)
        if not match:
            continue
        want = " ".join(codecs.decode(match.group(1), "unicode_escape").split())
        assert parse_feed(path.read_bytes()).title == want, path.name
        checked += 1
    assert checked > 200


# --- hostile documents ---------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>&lol9;</title><description>&lol9;</description></item>
</channel></rss>"""


def _xxe(uri: str, encoding: str = "utf-8") -> bytes:
    doc = f"""<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}"><!ENTITY % p SYSTEM "{uri}"> %p;]>
<rss version="2.0"><channel><title>t &xxe;</title>
<item><title>x &xxe;</title><description>&xxe;</description></item></channel></rss>"""
    return doc.encode(encoding)


def test_billion_laughs_is_not_expanded():
    outcome = _outcome(BILLION_LAUGHS)
    if isinstance(outcome, ParsedFeed):
        for entry in outcome.entries:
            assert "lollollol" not in f"{entry.title}{entry.summary}"


def test_quadratic_blowup_stays_small():
    # One declaration a line is the layout feedparser's own filter lets through as "safe".
    value = "x" * 5_000
    doc = (
        f'<!DOCTYPE rss [\n<!ENTITY a "{value}">\n]>\n<rss version="2.0"><channel><title>q</title>'
    )
    doc += "<item><title>t</title><description>" + "&a;" * 2_000 + "</description></item>"
    outcome = _outcome((doc + "</channel></rss>").encode())
    if isinstance(outcome, ParsedFeed):
        assert value not in (outcome.entries[0].summary or "")


def test_external_entity_to_etc_passwd_is_never_read():
    outcome = _outcome(_xxe("file:///etc/passwd"))
    assert "root:" not in repr(outcome)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "iso-8859-1"])
def test_external_entity_to_a_local_file_is_never_read(tmp_path, encoding):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER")
    outcome = _outcome(_xxe(secret.as_uri(), encoding))
    assert "SECRET-MARKER" not in repr(outcome)


def test_declaration_hidden_after_the_root_is_not_honoured(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER")
    doc = f'<rss version="2.0"><!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
    doc += "<channel><title>t &e;</title><item><title>&e;</title></item></channel></rss>"
    assert "SECRET-MARKER" not in repr(_outcome(doc.encode()))


def test_short_flat_entity_declarations_still_work():
    doc = b'<!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY co "Co.">]>'
    doc += b'<rss version="2.0"><channel><title>Acme&nbsp;&co;</title></channel></rss>'
    assert parse_feed(doc).title == "Acme Co."


@pytest.mark.parametrize(
    "doc",
    [
        {"version": "https://jsonfeed.org/version/1.1", "title": 5, "items": "nope"},
        {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [1, None, []]},
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": ["x"],
            "home_page_url": 7,
            "authors": "me",
            "items": [
                {
                    "id": {"x": 1},
                    "url": ["https://a.example/"],
                    "title": 3.5,
                    "content_html": {"p": 1},
                    "content_text": 12,
                    "summary": False,
                    "date_published": 20240101,
                    "authors": [{"name": 4}, "bob", None],
                },
                {"id": True, "url": "javascript:alert(1)", "date_published": "not a date"},
                {"id": "ok", "title": "Fine", "date_published": "2024-13-45T99:99:99Z"},
            ],
        },
        {"version": "https://jsonfeed.org/version/1.1"},
        {"version": "https://jsonfeed.org/version/9"},
    ],
    ids=["items-not-list", "items-not-objects", "wrong-types", "nothing", "future-version"],
)
def test_jsonfeed_with_wrong_types_is_read_or_refused_cleanly(doc):
    _outcome(json.dumps(doc).encode())


def test_jsonfeed_nested_too_deep_is_refused_cleanly():
    outcome = _outcome(b'{"version": "https://jsonfeed.org/version/1.1", "x": ' + b"[" * 100_000)
    assert isinstance(outcome, FeedError)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\n \t ",
        b"\x00" * 64,
        bytes(range(256)) * 8,
        b"\xff\xfe\x00\x00" + b"\x00\xd8" * 100,  # UTF-32 BOM, then lone surrogates
        b"\xef\xbb\xbf",
        b"\x1f\x8b\x08\x00" + b"\x00" * 32,  # a gzip header: the fetcher failed to inflate
        b"<",
        b"<rss",
        b"<?xml",
        b"<!DOCTYPE rss [",
        b"<!--",
        b"<rss>" + b"<item>" * 50_000,
        b'<?xml version="1.0" encoding="x-no-such-codec"?><rss><channel><title>t</title></rss>',
        b'<?xml version="1.0" encoding="utf-7"?><rss><channel><title>+AGEAYgBj-</title></rss>',
    ],
    ids=lambda c: repr(c[:20]),
)
def test_junk_gives_parsed_feed_or_feed_error(content):
    assert isinstance(looks_like_feed(content), bool)
    _outcome(content)


def test_empty_file_is_a_feed_error():
    assert isinstance(_outcome(b""), FeedError)
