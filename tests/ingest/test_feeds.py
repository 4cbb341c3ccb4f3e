"""Tests for newsdesk.ingest.feeds and newsdesk.ingest.htmltext on small fictional feeds."""

from __future__ import annotations

import codecs
import dataclasses
import json
from pathlib import Path

import pytest

from newsdesk.errors import FeedError
from newsdesk.ingest import feeds, htmltext
from newsdesk.ingest.feeds import (
    MAX_ENTRIES,
    ParsedFeed,
    entry_to_article,
    looks_like_feed,
    parse_feed,
    xml_root_name,
)
from newsdesk.ingest.htmltext import html_to_text
from newsdesk.models import FeedEntry

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"
GOLDEN = ["rss091.xml", "rss10.rdf", "rss20.xml", "atom10.xml", "jsonfeed11.json"]
ARTICLE_FIELDS = ("title", "text", "url", "outlet", "byline", "published_at")

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Outlet</title><link>https://outlet.example/</link>
<item><title>One</title><link>https://outlet.example/1</link><description>First.</description></item>
</channel></rss>"""


def _rss_with_items(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://outlet.example/{i}</link></item>"
        for i in range(count)
    )
    return f'<rss version="2.0"><channel><title>Many</title>{items}</channel></rss>'.encode()


# --- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_feed_parses_to_expected_entries_and_articles(name):
    path = DATA / name
    expected = json.loads((DATA / f"{path.stem}.expected.json").read_text("utf-8"))
    parsed = parse_feed(path.read_bytes(), f"https://feeds.example/{name}")
    articles = [entry_to_article(entry, parsed) for entry in parsed.entries]
    assert dataclasses.asdict(parsed) == expected["feed"]
    assert [a and a.to_dict(ARTICLE_FIELDS) for a in articles] == expected["articles"]


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_feed_is_sniffed_as_feed(name):
    assert looks_like_feed((DATA / name).read_bytes())


def test_rss20_keeps_guid_when_is_permalink_false_and_link_separately():
    parsed = parse_feed((DATA / "rss20.xml").read_bytes(), "https://ledger.example/rss")
    first = parsed.entries[0]
    assert first.guid == "ledger-2024-0311-tram4"
    assert first.url == "https://ledger.example/2024/03/tram-4"


def test_rss20_content_encoded_is_sanitized_and_links_made_absolute():
    parsed = parse_feed((DATA / "rss20.xml").read_bytes(), "https://ledger.example/rss")
    html = parsed.entries[0].content_html
    assert "<script" not in html and "<style" not in html
    assert 'href="https://ledger.example/topics/tracks"' in html


def test_rss20_repeated_guid_is_kept_once_first_copy_wins():
    parsed = parse_feed((DATA / "rss20.xml").read_bytes())
    guids = [e.guid for e in parsed.entries]
    assert guids.count("ledger-2024-0310-library") == 1
    assert parsed.entries[1].title == "Library extends opening hours"


def test_entry_without_id_or_link_gets_sha1_of_title_and_summary_as_guid():
    parsed = parse_feed((DATA / "rss20.xml").read_bytes())
    entry = parsed.entries[-1]
    assert entry.url is None
    assert len(entry.guid) == 40 and int(entry.guid, 16) >= 0


def test_entry_without_id_uses_link_as_guid():
    parsed = parse_feed(RSS)
    assert parsed.entries[0].guid == "https://outlet.example/1"


def test_published_at_is_iso8601_utc_with_offset():
    parsed = parse_feed((DATA / "atom10.xml").read_bytes())
    assert parsed.entries[0].published_at == "2024-05-01T13:30:00+00:00"
    # An entry with only <updated> takes that date.
    assert parsed.entries[1].published_at == "2024-05-02T06:00:00+00:00"


def test_jsonfeed_content_html_is_sanitized_like_xml_content():
    parsed = parse_feed((DATA / "jsonfeed11.json").read_bytes())
    assert "<script" not in parsed.entries[0].content_html
    assert parsed.entries[0].author == "Lena Hartwig, Tom Ashby"


def test_jsonfeed_numeric_id_is_coerced_to_string():
    parsed = parse_feed((DATA / "jsonfeed11.json").read_bytes())
    assert parsed.entries[1].guid == "1042"


def test_jsonfeed_1_0_single_author_object_is_read():
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Old JSON Feed",
        "author": {"name": "Ada Byrne"},
        "items": [{"id": "a", "content_text": "Hello there.", "date_published": "2020-01-02"}],
    }
    parsed = parse_feed(json.dumps(doc).encode())
    assert parsed.entries[0].author == "Ada Byrne"
    assert parsed.entries[0].published_at == "2020-01-02T00:00:00+00:00"
    assert entry_to_article(parsed.entries[0], parsed).text == "Hello there."


# --- sniffing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        RSS,
        codecs.BOM_UTF8 + RSS,
        b"\n\n   " + RSS,
        b'<?xml version="1.0"?>\n<!-- generator: x -->\n<?xml-stylesheet href="s.xsl"?>\n<rss/>',
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd">\n<rss/>',
        b'<!DOCTYPE rss [<!ENTITY a "]>">]>\n<rss/>',
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"/>',
        RSS.decode().encode("utf-16"),
        RSS.decode().encode("utf-16-be"),
        RSS.decode().encode("utf-16-le"),
        RSS.decode().encode("utf-32"),
        b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
        codecs.BOM_UTF8 + b' {"items": [], "version": "https://jsonfeed.org/version/1"}',
    ],
    ids=lambda c: repr(c[:24]),
)
def test_looks_like_feed_recognises_feed_documents(content):
    assert looks_like_feed(content)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   ",
        b"<!DOCTYPE html><html><head><title>Page</title></head><body>rss</body></html>",
        b'{"version": "1.1", "items": []}',
        b'{"title": "x", "text": "y"}',
        b"[1, 2, 3]",
        b"not xml at all <rss>",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"<opml version='2.0'><body/></opml>",
    ],
    ids=lambda c: repr(c[:24]),
)
def test_looks_like_feed_rejects_other_documents(content):
    assert not looks_like_feed(content)


def test_looks_like_feed_lets_bytes_overrule_a_feed_content_type():
    page = b"<html><body><p>Hello</p></body></html>"
    assert not looks_like_feed(page, "application/rss+xml")


def test_looks_like_feed_accepts_feed_root_after_junk_only_with_feed_content_type():
    junk = b"Notice: undefined index in feed.php on line 3\n" + RSS
    assert looks_like_feed(junk, "application/rss+xml; charset=utf-8")
    assert not looks_like_feed(junk, "text/html")


def test_xml_root_name_keeps_prefix():
    assert xml_root_name(b"<?xml version='1.0'?><rdf:RDF/>") == "rdf:RDF"


# --- parse_feed: errors and caps ---------------------------------------------------------------


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty document"),
        (b"<html><head><title>Page</title></head><body><p>x</p></body></html>", "not a feed"),
        (b'{"title": "no version", "items": []}', "JSON without a JSON Feed version"),
        (b"{broken json", "JSON without a JSON Feed version"),
        (b'<rss version="2.0"><channel></channel></rss>', "no title and no entries"),
    ],
)
def test_parse_feed_raises_one_line_feed_error_naming_the_input(content, reason):
    with pytest.raises(FeedError) as caught:
        parse_feed(content, "https://outlet.example/feed")
    message = str(caught.value)
    assert message.startswith("feeds: https://outlet.example/feed: not a feed: ")
    assert reason in message and "\n" not in message


def test_parse_feed_never_opens_bytes_that_name_a_file(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(RSS.replace(b"Test Outlet", b"SECRET-FILE-CONTENT"))
    try:
        parsed = parse_feed(str(secret).encode())
    except FeedError as exc:
        assert "SECRET-FILE-CONTENT" not in str(exc)
    else:
        assert "SECRET-FILE-CONTENT" not in repr(parsed)


def test_parse_feed_never_fetches_a_url_given_as_content():
    with pytest.raises(FeedError):
        parse_feed(b"http://127.0.0.1:9/feed.xml")


def test_bozo_feed_with_entries_is_accepted_with_one_line_warning():
    broken = RSS.replace(b"</channel></rss>", b"<item><title>Two &bogus; & more</title></item>")
    parsed = parse_feed(broken)
    assert [e.title for e in parsed.entries][:1] == ["One"]
    assert parsed.warning and "\n" not in parsed.warning


def test_entries_are_capped_at_max_entries_with_a_warning():
    parsed = parse_feed(_rss_with_items(MAX_ENTRIES + 5))
    assert len(parsed.entries) == MAX_ENTRIES
    assert parsed.entries[0].title == "Item 0"
    assert f"kept the first {MAX_ENTRIES}" in parsed.warning


def test_long_fields_are_capped():
    title = "T" * (feeds.MAX_TITLE_CHARS * 3)
    body = "word " * (feeds.MAX_SUMMARY_CHARS // 2)
    doc = f'<rss version="2.0"><channel><title>{title}</title><item><title>{title}</title>'
    doc += f"<description>{body}</description></item></channel></rss>"
    entry = parse_feed(doc.encode()).entries[0]
    assert len(entry.title) == feeds.MAX_TITLE_CHARS
    assert len(entry.summary) <= feeds.MAX_SUMMARY_CHARS


def test_document_over_size_cap_is_refused(monkeypatch):
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 100)
    with pytest.raises(FeedError, match="limit"):
        parse_feed(RSS)


def test_charset_argument_decodes_a_feed_without_declaration():
    doc = '<rss version="2.0"><channel><title>Caf\u00e9 Zeitung</title></channel></rss>'
    parsed = parse_feed(
        doc.encode("iso-8859-1"), content_type="application/rss+xml", charset="iso-8859-1"
    )
    assert parsed.title == "Caf\u00e9 Zeitung"


def test_content_type_charset_overrides_xml_declaration():
    doc = '<?xml version="1.0" encoding="utf-8"?>'
    doc += "<rss><channel><title>Stra\u00dfe</title></channel></rss>"
    parsed = parse_feed(
        doc.encode("iso-8859-1"), content_type="application/xml; charset=iso-8859-1"
    )
    assert parsed.title == "Stra\u00dfe"


def test_non_http_links_are_dropped():
    doc = RSS.replace(b"https://outlet.example/1", b"javascript:alert(1)")
    entry = parse_feed(doc).entries[0]
    assert entry.url is None


def test_feed_with_title_but_no_entries_is_accepted():
    parsed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    assert parsed.title == "Quiet" and parsed.entries == []


# --- entry_to_article ----------------------------------------------------------------------------


def test_entry_to_article_prefers_content_over_summary():
    feed = ParsedFeed("Outlet", None, [], None)
    entry = FeedEntry(
        guid="g",
        url="https://o.example/a",
        title="T",
        summary="<p>Short</p>",
        content_html="<p>Long one.</p><p>Two.</p>",
        author="Jo Dee",
    )
    article = entry_to_article(entry, feed)
    assert article.text == "Long one.\n\nTwo."
    assert (article.outlet, article.byline, article.url) == ("Outlet", "Jo Dee", entry.url)


def test_entry_to_article_returns_none_without_title_or_text():
    feed = ParsedFeed("Outlet", None, [], None)
    entry = FeedEntry(guid="g", url="https://o.example/a", summary="<script>x()</script>")
    assert entry_to_article(entry, feed) is None


def test_entry_to_article_makes_title_from_text_when_missing():
    feed = ParsedFeed(None, None, [], None)
    words = " ".join(["word"] * 60)
    article = entry_to_article(FeedEntry(guid="g", url=None, summary=words), feed)
    assert article.title.endswith("…") and len(article.title) <= 101
    assert article.text == words


# --- html_to_text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment, expected",
    [
        ("<p>One &amp; <b>two</b></p><p>Three</p>", "One & two\n\nThree"),
        ("<p>a<br>b<br><br>c</p>", "a\nb\n\nc"),
        ("<script>evil()</script><style>p{}</style><p>kept</p>", "kept"),
        ("plain text &amp; more\n\n\n\nsecond paragraph", "plain text & more\n\nsecond paragraph"),
        ("&lt;p&gt;escaped &amp;amp; twice&lt;/p&gt;", "escaped & twice"),
        ("caf&amp;eacute; &amp;#8217;", "café ’"),
        ("<p>unclosed <b>bold <i>mess", "unclosed bold mess"),
        ("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
        ("AT&T a < b", "AT&T a < b"),
        ("soft\u00adhyphen non\u00a0breaking", "softhyphen non breaking"),
        ("\x00\x01<p>control\x0b chars</p>", "control chars"),
        ("", ""),
        ("<!-- only a comment -->", ""),
    ],
)
def test_html_to_text_gives_clean_paragraphs(fragment, expected):
    assert html_to_text(fragment) == expected


def test_html_to_text_survives_deep_nesting_and_huge_input():
    assert html_to_text("<div>" * 50_000 + "deep") == "deep"
    text = html_to_text("<p>para</p>" * (htmltext.MAX_HTML_CHARS // 5))
    assert text.startswith("para\n\npara") and len(text) < htmltext.MAX_HTML_CHARS


def test_html_to_text_survives_lone_surrogates_and_non_strings():
    assert html_to_text("<p>a\ud800b</p>") == "ab"
    assert html_to_text(None) == ""  # type: ignore[arg-type]


# --- __all__ -------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [feeds, htmltext])
def test_all_lists_only_names_the_module_defines(module):
    assert all(hasattr(module, name) for name in module.__all__)
