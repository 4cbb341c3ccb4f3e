"""Golden tests of the HTML extractor on small fictional pages (tests/data/html/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.errors import ExtractError
from newsdesk.extract import extract_document, html
from newsdesk.extract.html import extract_html, iso_datetime, language_code
from newsdesk.models import RawDocument

DATA = Path(__file__).resolve().parent.parent / "data" / "html"
FIELDS = ("title", "text", "url", "outlet", "credit", "byline", "published_at", "language")
META_UTF8 = b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'


def page(name: str) -> bytes:
    return (DATA / f"{name}.html").read_bytes()


def expected(name: str) -> dict:
    return json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))


def extract(content: bytes, **fields) -> dict:
    """Returns the fields a user gets for an HTML page (extract_html, then the shared clean-up)."""
    fields.setdefault("content_type", "text/html")
    [article] = extract_document(
        RawDocument(input=fields.pop("input", "page.html"), content=content, **fields)
    )
    return {key: getattr(article, key) for key in FIELDS}


def test_article_page_drops_navigation_comments_and_footer():
    got = extract(page("harbour_budget"))
    assert got == expected("harbour_budget")
    for chrome in ("Subscribe", "seagull42", "About time too", "Privacy policy", "Copyright"):
        assert chrome not in got["text"]


def test_text_is_stripped_paragraphs_separated_by_one_blank_line():
    text = extract(page("harbour_budget"))["text"]
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 4
    assert all(p == p.strip() and p and "\n" not in p for p in paragraphs)


def test_headline_is_not_repeated_as_first_paragraph():
    got = extract(page("harbour_budget"))
    assert not got["text"].startswith(got["title"])


def test_input_is_kept_on_the_article():
    article = extract_html(RawDocument(input="saved/harbour.html", content=page("harbour_budget")))
    assert article.input == "saved/harbour.html"


def test_korean_page_with_date_only_meta():
    got = extract(page("hanbit_library"), url="https://hanbit.example.kr/news/2024/0612-library")
    assert got == expected("hanbit_library")
    assert got["published_at"] == "2024-06-12T00:00:00+00:00"


def test_korean_language_guessed_from_script_without_lang_attribute():
    content = page("hanbit_library").replace(b' lang="ko-KR"', b"")
    assert extract(content)["language"] == "ko"


def test_canonical_url_wins_over_fetched_url_and_relative_one_is_made_absolute():
    final = "https://gazette.example.org/amp/ferry?utm_source=feed"
    assert extract(page("harbour_budget"), url=final)["url"] == expected("harbour_budget")["url"]
    relative = page("harbour_budget").replace(
        b"https://gazette.example.org/news/2024/03/05/ferry-pier-budget", b"/news/ferry-pier"
    )
    assert extract(relative, url=final)["url"] == "https://gazette.example.org/news/ferry-pier"


@pytest.mark.parametrize(
    ("content", "charset"),
    [
        (page("market_cp1252"), None),  # windows-1252 bytes, <meta> says utf-8
        (page("market_cp1252"), "utf-8"),  # ... and so does the HTTP header
        (page("market_cp1252").replace(META_UTF8, b""), None),  # no label at all
        (page("market_cp1252").replace(META_UTF8, b""), "windows-1252"),  # the right label
        (page("market_cp1252").replace(META_UTF8, b""), "utf-8"),  # a wrong label
        (page("market_cp1252").replace(META_UTF8, b""), "no-such-charset"),
        (page("market_cp1252").replace(META_UTF8, b""), "utf-16"),
    ],
    ids=[
        "meta-wrong",
        "meta-and-header-wrong",
        "unlabelled",
        "header",
        "header-wrong",
        "header-unknown",
        "header-utf16",
    ],
)
def test_windows_1252_page_decodes_whatever_the_labels_say(content, charset):
    got = extract(content, charset=charset)
    assert got == expected("market_cp1252")
    assert "naïve" in got["text"] and "€2" in got["text"] and "\ufffd" not in got["text"]


def test_http_charset_decodes_a_page_without_meta_charset():
    text = "<p>Le maire a inauguré la nouvelle bibliothèque municipale ce matin.</p>" * 6
    content = f"<html><head><title>Bibliothèque</title></head><body>{text}</body></html>"
    got = extract(content.encode("iso-8859-1"), charset="ISO-8859-1")
    assert "inauguré la nouvelle bibliothèque" in got["text"]


def test_utf8_bytes_win_over_a_latin1_http_label():
    got = extract(page("hanbit_library"), charset="iso-8859-1")
    assert got["title"] == expected("hanbit_library")["title"]


def test_missing_fields_are_none_not_guessed():
    got = extract(page("market_cp1252"))  # no canonical link, no date, no fetched URL
    assert got["url"] is None and got["published_at"] is None and got["credit"] is None


def test_fetched_url_is_the_fallback_for_a_page_without_canonical_link():
    got = extract(page("market_cp1252"), url="https://riverside.example.net/market")
    assert got["url"] == "https://riverside.example.net/market"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n\t ",
        b"\x00\xff\xfe\x00garbage\x89PNG\r\n\x1a\n\x00\x00",
        b"just a few words, not a page",
        b"<html><head><title>Empty</title></head><body></body></html>",
        b"<html><head><style>p {color: red}</style></head><body><script>var x = 1;</script>"
        b"<!-- nothing here --></body></html>",
    ],
    ids=["empty", "blank", "binary", "plain-words", "empty-body", "script-only"],
)
def test_page_without_text_raises_extract_error(content):
    with pytest.raises(ExtractError) as caught:
        extract_html(RawDocument(input="bad.html", content=content))
    assert str(caught.value) == "extract: bad.html: no article text found"


@pytest.mark.parametrize("error", [RuntimeError("lxml\nblew up"), RecursionError("too deep")])
def test_library_exceptions_become_one_line_extract_errors(monkeypatch, error):
    def explode(*args, **kwargs):
        raise error

    monkeypatch.setattr(html.trafilatura, "bare_extraction", explode)
    with pytest.raises(ExtractError) as caught:
        extract(page("harbour_budget"), input="boom.html")
    message = str(caught.value)
    assert message.startswith("extract: boom.html: HTML cannot be parsed") and "\n" not in message


PARAGRAPH = (
    "<p>" + "The harbour council met again on Tuesday to argue about the pier. " * 4 + "</p>"
)


@pytest.mark.parametrize("tag", ["font", "div"])
def test_text_under_300_unclosed_tags_is_found(tag):
    content = f"<html><body>{f'<{tag}>' * 300}{PARAGRAPH * 3}</body></html>".encode()
    assert "argue about the pier" in extract(content)["text"]


def test_absurdly_deep_page_does_not_crash():
    content = f"<html><body>{'<div>' * 20000}{PARAGRAPH * 3}{'</div>' * 20000}</body></html>"
    try:
        got = extract(content.encode())
    except ExtractError as err:
        assert str(err) == "extract: page.html: no article text found"
    else:
        assert "argue about the pier" in got["text"]


def test_huge_page_is_cut_at_the_cap(monkeypatch):
    content = page("harbour_budget")
    cut = content.index(b"Work is expected")  # the last paragraph falls past the cap
    monkeypatch.setattr(html, "MAX_HTML_BYTES", cut)
    text = extract(content)["text"]
    assert "customs house" in text and "Work is expected" not in text


def test_cap_never_splits_a_utf8_character(monkeypatch):
    content = page("hanbit_library")
    cut = content.index("시범 운영".encode()) + 1  # inside a three-byte Hangul syllable
    monkeypatch.setattr(html, "MAX_HTML_BYTES", cut)
    text = extract(content)["text"]
    assert "\ufffd" not in text and "확대할지" not in text and "사서 여섯 명" in text


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-03-05", "2024-03-05T00:00:00+00:00"),
        ("2024-03-05T09:30:00+0100", "2024-03-05T09:30:00+01:00"),
        ("2024-03-05T09:30:00+01:00", "2024-03-05T09:30:00+01:00"),
        ("2024-03-05T09:30:00Z", "2024-03-05T09:30:00+00:00"),
        ("2024-03-05T09:30:00", "2024-03-05T09:30:00+00:00"),
        ("last Tuesday", None),
        ("", None),
        (None, None),
    ],
)
def test_iso_datetime(value, iso):
    assert iso_datetime(value) == iso


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("en-GB", "en"),
        ("ko_KR", "ko"),
        ("zh-Hans-CN", "zh"),
        ("FR", "fr"),
        ("english", None),
        ("", None),
        (None, None),
    ],
)
def test_language_code(value, code):
    assert language_code(value) == code
