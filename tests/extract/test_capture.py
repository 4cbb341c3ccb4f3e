"""Tests the page-capture splitter against golden captures and hand-made edge cases."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from newsdesk.errors import ExtractError
from newsdesk.extract.capture import is_capture, split_capture

DATA = Path(__file__).parent.parent / "data" / "captures"
CAPTURES = sorted(DATA.glob("*.txt"))
# The captures' ages are read as if the page was saved at this moment.
CAPTURED_AT = datetime.fromisoformat("2026-11-28T15:00:00+09:00")
FIELDS = ("title", "text", "outlet", "credit", "byline", "published_at")

# Page chrome (lower case) that must never reach an article: markers, hashtags, AI-panel bullets
# and the readers' comments of the golden captures.
CHROME = (
    "hashtags", "try our ai", "explore what", "can do for you", "comments", "no comments yet",
    "related articles", "#", "summarize this article", "who is who", "ask a question",
    "summaries that cite", "people and their roles", "ask the article", "key quotes",
    "blue_heron", "another one?", "minsu.k", "hope the talks",
)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _fields(articles) -> list[dict]:
    return [{name: getattr(article, name) for name in FIELDS} for article in articles]


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.stem)
def test_capture_splits_into_golden_articles(path):
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text("utf-8"))
    articles = split_capture(_read(path), CAPTURED_AT, input=str(path))
    assert _fields(articles) == expected
    assert all(article.input == str(path) for article in articles)


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.stem)
def test_capture_chrome_reaches_no_article(path):
    for article in split_capture(_read(path), CAPTURED_AT):
        for part in (article.title, article.text):
            lowered = part.lower()
            assert not [chrome for chrome in CHROME if chrome in lowered], part


def test_golden_captures_cover_each_line_layout():
    layouts = {path.stem: _read(path) for path in CAPTURES}
    assert len(layouts) >= 3
    assert any("\r\n" in text for text in layouts.values())
    assert any("\n\n" not in text for text in layouts.values())
    assert any("\n\n" in text and "\r" not in text for text in layouts.values())


def _relayout(text: str, layout: str) -> str:
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if layout == "single":
        return "\n".join(lines)
    if layout == "blank":
        return "\n\n".join(lines)
    if layout == "crlf":
        return "\r\n".join(lines) + "\r\n"
    return "\n".join(line + "  \t" for line in lines)  # trailing whitespace


@pytest.mark.parametrize("layout", ["single", "blank", "crlf", "trailing"])
@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.stem)
def test_capture_reads_the_same_in_every_line_layout(path, layout):
    expected = _fields(split_capture(_read(path), CAPTURED_AT))
    assert _fields(split_capture(_relayout(_read(path), layout), CAPTURED_AT)) == expected


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.stem)
def test_golden_captures_are_captures(path):
    assert is_capture(_read(path))


MINIMAL = """Allies hold naval drill off Jeju
The navies of South Korea and the United States held a drill off Jeju Island on Friday.
Hashtags
#Navy
Try Our AI Features
Explore what Newsly can do for you:
Comments
No comments yet...
Related Articles
Han River Times
7 hours ago
- Han River Times
Navy chief visits Jeju base
The chief of naval operations visited the Jeju base on Thursday. (Yonhap)
"""


def test_is_capture_ignores_case_and_spacing():
    text = MINIMAL.replace("Try Our AI Features", "TRY  our ai   FEATURES ").replace(
        "Related Articles", "  related   articles  "
    )
    assert is_capture(text)


def test_is_capture_holds_with_two_markers_missing():
    text = MINIMAL.replace("Hashtags\n", "").replace("No comments yet...\n", "")
    assert is_capture(text)


def test_is_capture_holds_with_related_articles_and_one_other_marker():
    text = "\n".join(line for line in MINIMAL.split("\n")
                     if not re.match(r"(#|Hashtags|Try|Explore|No comments)", line))
    assert is_capture(text)


def test_plain_article_with_a_comments_line_is_no_capture():
    text = "Allies hold naval drill\nThe navies held a drill on Friday.\nComments\nShare this"
    assert not is_capture(text)
    assert not is_capture("")


def test_block_without_dash_outlet_line_keeps_outlet_and_headline():
    text = MINIMAL.replace("- Han River Times\n", "")
    related = split_capture(text, CAPTURED_AT)[1]
    assert (related.outlet, related.title) == ("Han River Times", "Navy chief visits Jeju base")
    assert related.published_at == "2026-11-28T08:00:00+09:00"
    assert related.credit == "Yonhap"


def test_block_without_outlet_line_takes_outlet_from_dash_line():
    text = MINIMAL.replace("Han River Times\n7 hours ago", "7 hours ago")
    related = split_capture(text, CAPTURED_AT)[1]
    assert (related.outlet, related.title) == ("Han River Times", "Navy chief visits Jeju base")


def test_block_with_several_paragraphs_keeps_them_all():
    text = MINIMAL.replace("(Yonhap)\n", "\nHe met sailors.\nHe left on Friday. (Yonhap)\n")
    related = split_capture(text, CAPTURED_AT)[1]
    assert related.text == (
        "The chief of naval operations visited the Jeju base on Thursday.\n\n"
        "He met sailors.\n\nHe left on Friday. (Yonhap)"
    )


def test_main_article_without_date_line_has_no_published_at():
    main = split_capture(MINIMAL, CAPTURED_AT)[0]
    assert main.title == "Allies hold naval drill off Jeju"
    assert main.published_at is None
    assert (main.outlet, main.credit, main.byline) == (None, None, None)


def test_main_article_reads_byline_and_outlet_below_headline():
    byline = "By Choi Yu-na | Jeju Coast Daily\n2 hours ago\n"
    text = MINIMAL.replace("off Jeju\n", "off Jeju\n" + byline)
    main = split_capture(text, CAPTURED_AT)[0]
    assert (main.byline, main.outlet) == ("Choi Yu-na", "Jeju Coast Daily")
    assert main.published_at == "2026-11-28T13:00:00+09:00"
    assert main.text == (
        "The navies of South Korea and the United States held a drill off Jeju Island on Friday."
    )


def test_main_article_byline_with_role_gives_no_outlet():
    text = MINIMAL.replace("off Jeju\n", "off Jeju\nBy Choi Yu-na, Staff Reporter\n")
    main = split_capture(text, CAPTURED_AT)[0]
    assert (main.byline, main.outlet) == ("Choi Yu-na", None)


def test_main_article_reads_outlet_header_above_headline():
    text = "Jeju Coast Daily\n3 hours ago\n- Jeju Coast Daily\n" + MINIMAL
    main = split_capture(text, CAPTURED_AT)[0]
    assert (main.title, main.outlet) == ("Allies hold naval drill off Jeju", "Jeju Coast Daily")
    assert main.published_at == "2026-11-28T12:00:00+09:00"


def test_headline_followed_by_age_stays_the_headline():
    text = MINIMAL.replace("off Jeju\n", "off Jeju\n7 hours ago\n")
    main = split_capture(text, CAPTURED_AT)[0]
    assert main.title == "Allies hold naval drill off Jeju"
    assert main.published_at == "2026-11-28T08:00:00+09:00"


def test_main_wire_story_takes_its_outlet_from_the_credit():
    text = MINIMAL.replace("on Friday.\n", "on Friday. — AFP\n")
    main = split_capture(text, CAPTURED_AT)[0]
    assert (main.outlet, main.credit) == ("AFP", "AFP")


def test_hashtag_lines_in_the_body_are_dropped():
    text = MINIMAL.replace("on Friday.\n", "on Friday.\n#Jeju #Navy\n")
    assert "#" not in split_capture(text, CAPTURED_AT)[0].text


def test_comments_that_look_like_blocks_are_dropped_without_related_marker():
    text = MINIMAL.replace("No comments yet...\nRelated Articles\n", (
        "jeju_fan\n2 hours ago\nGood to see the drill.\n"
        "seaman_kim\n1 hour ago\nStay safe out there.\n"
    ))
    articles = split_capture(text, CAPTURED_AT)
    assert [a.title for a in articles] == ["Allies hold naval drill off Jeju",
                                           "Navy chief visits Jeju base"]


def test_outlet_and_age_on_one_line_open_a_block():
    text = MINIMAL.replace("Han River Times\n7 hours ago\n", "Han River Times · 7 hours ago\n")
    related = split_capture(text, CAPTURED_AT)[1]
    assert related.outlet == "Han River Times"
    assert related.published_at == "2026-11-28T08:00:00+09:00"


def test_capture_without_chrome_is_one_article():
    articles = split_capture("Allies hold drill\nThey held a drill.\n", CAPTURED_AT)
    assert [(a.title, a.text) for a in articles] == [("Allies hold drill", "They held a drill.")]


def test_capture_without_a_headline_raises_extract_error():
    with pytest.raises(ExtractError, match="capture: empty.txt"):
        split_capture(" \r\n\n", CAPTURED_AT, input="empty.txt")
    with pytest.raises(ExtractError):
        split_capture("Hashtags\n#Navy\nRelated Articles\n", CAPTURED_AT)


def test_header_cut_off_at_the_end_adds_nothing():
    articles = split_capture(MINIMAL + "Peninsula Post\n2 hours ago\n", CAPTURED_AT)
    assert len(articles) == 2
    assert articles[1].text.endswith("on Thursday. (Yonhap)")


def test_credit_on_its_own_line_is_read():
    related = split_capture(MINIMAL.replace(" (Yonhap)\n", "\n(Yonhap)\n"), CAPTURED_AT)[1]
    assert related.credit == "Yonhap"
