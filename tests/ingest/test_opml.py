"""Tests for newsdesk.ingest.opml: reading nested subscription lists safely, and writing them."""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import pytest

from newsdesk.errors import FeedError
from newsdesk.ingest import opml
from newsdesk.ingest.opml import OpmlFeed, looks_like_opml, parse_opml, write_opml

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"


def test_nested_outlines_give_every_http_feed_once_with_its_category():
    feeds = parse_opml((DATA / "subscriptions.opml").read_bytes(), "subscriptions.opml")
    assert feeds == [
        OpmlFeed(
            "https://ledger.example/rss",
            "The Northbridge Ledger",
            "https://ledger.example/",
            "News / Local",
        ),
        OpmlFeed("https://valley-courier.example/rss", "Valley Courier", None, "News / Local"),
        OpmlFeed(
            "https://meridian-post.example/atom.xml",
            "Meridian Post",
            "https://meridian-post.example/",
            "News",
        ),
        OpmlFeed("http://gadgets.example/feed", "Old pseudo-scheme", None, "Tech"),
        OpmlFeed("https://dispatch.example/feed.json", "Quarry Hill Dispatch", None, None),
    ]


def test_file_javascript_and_link_outlines_are_skipped():
    urls = [f.url for f in parse_opml((DATA / "subscriptions.opml").read_bytes())]
    assert not any(u.startswith(("file:", "javascript:")) for u in urls)
    assert "https://blog.example/" not in urls


def test_outline_with_url_attribute_and_rss_type_is_a_feed():
    doc = b'<opml version="1.0"><body><outline type="rss" text="X" url="https://x.example/rss"/>'
    doc += b"</body></opml>"
    assert [f.url for f in parse_opml(doc)] == ["https://x.example/rss"]


def test_looks_like_opml_sniffs_root_element():
    assert looks_like_opml((DATA / "subscriptions.opml").read_bytes())
    assert looks_like_opml("<?xml version='1.0'?>\n<opml/>".encode("utf-16"))
    assert not looks_like_opml((DATA / "rss20.xml").read_bytes())
    assert not looks_like_opml(b"")
    assert not looks_like_opml(b"\xff\xd8\xff\xe0 junk")


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty document"),
        (b"<opml><body><outline xmlUrl='https://a.example/'>", "not well-formed XML"),
        (b"\x00\x01\x02binary", "not well-formed XML"),
        (b'<rss version="2.0"><channel/></rss>', "not an OPML document"),
    ],
)
def test_bad_documents_raise_one_line_feed_error(content, reason):
    with pytest.raises(FeedError) as caught:
        parse_opml(content, "subs.opml")
    message = str(caught.value)
    assert message.startswith("opml: subs.opml: ") and reason in message
    assert "\n" not in message


def test_entity_bomb_is_refused():
    bomb = b'<?xml version="1.0"?>\n<!DOCTYPE opml [\n<!ENTITY a "aaaaaaaaaa">\n'
    for i in range(1, 10):
        bomb += f'<!ENTITY {chr(97 + i)} "{("&" + chr(96 + i) + ";") * 10}">\n'.encode()
    bomb += b']>\n<opml><body><outline text="&j;" xmlUrl="https://a.example/"/></body></opml>'
    with pytest.raises(FeedError, match="declares entities"):
        parse_opml(bomb)


def test_external_entity_is_refused_and_file_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER")
    doc = f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
    doc += '<opml><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>'
    for encoding in ("utf-8", "utf-16"):
        with pytest.raises(FeedError) as caught:
            parse_opml(doc.encode(encoding))
        assert "SECRET-MARKER" not in str(caught.value)


def test_write_opml_output_is_valid_opml_2_that_parse_opml_reads_back():
    feeds = [
        (
            "https://a.example/rss?x=1&y=2",
            'Quotes "and" <angles> & ampersands',
            "https://a.example/",
        ),
        ("https://b.example/feed", None, None),
        OpmlFeed("https://c.example/atom", "Line\nbreak", None),
    ]
    text = write_opml(feeds, title="My <feeds>")
    root = lxml.etree.fromstring(text.encode("utf-8"))
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "My <feeds>"
    assert all(o.get("text") for o in root.iter("outline"))  # OPML 2.0 requires text
    assert parse_opml(text.encode("utf-8")) == [
        OpmlFeed(
            "https://a.example/rss?x=1&y=2",
            'Quotes "and" <angles> & ampersands',
            "https://a.example/",
        ),
        OpmlFeed("https://b.example/feed", "https://b.example/feed", None),
        OpmlFeed("https://c.example/atom", "Line break", None),
    ]


def test_write_opml_drops_characters_xml_forbids():
    text = write_opml([("https://a.example/", "bell\x07 title", None)])
    assert parse_opml(text.encode())[0].title == "bell title"


def test_feed_count_is_capped(monkeypatch):
    monkeypatch.setattr(opml, "MAX_OPML_FEEDS", 3)
    text = write_opml([(f"https://x.example/{i}", None, None) for i in range(10)])
    assert len(parse_opml(text.encode())) == 3


def test_all_lists_only_names_the_module_defines():
    assert all(hasattr(opml, name) for name in opml.__all__)
