"""Tests the list pages over the demo corpus: home with top stories and outlet filter, the
story page (coverage, timeline, perspectives, chart), the outlet page, following, and every
list as RSS 2.0, Atom and JSON Feed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import escape

from newsdesk.web.charts import bar_chart, buckets
from newsdesk.web.filters import parse_time

from .conftest import first_story, post_form, register

ATOM = "{http://www.w3.org/2005/Atom}"


def _biggest_story(store):
    return max(store.list_stories(100), key=lambda s: (s.outlets, s.articles))


def test_home_shows_top_stories_with_counts(web, demo_store):
    html = web.get("/").text
    top = html[html.index('id="top-title"'):html.index('id="feed-title"')]
    ids = re.findall(r'href="/stories/([^"]+)"', top)
    assert 1 <= len(ids) <= 8
    big = _biggest_story(demo_store)
    assert big.id in ids  # the widest story of the demo is on the front page
    assert re.search(r"\d+ outlets? · \d+ articles?", top)
    assert "latest <time" in top


def test_home_outlet_filter_narrows_top_stories(web, demo_store):
    outlet = demo_store.list_outlets()[0][0]
    html = web.get("/", params={"outlet": outlet}).text
    assert f"Top stories with {escape(outlet)}" in html
    for story_id in re.findall(r'href="/stories/([^"]+)"', html):
        assert outlet in {a.outlet for a in demo_store.story_articles(story_id)}


def test_story_page_groups_folds_and_compares(web, demo_store):
    story = _biggest_story(demo_store)
    html = web.get(f"/stories/{story.id}").text
    assert f"<h1 id=\"story-title\">{escape(story.title)}</h1>" in html
    articles = demo_store.story_articles(story.id)
    timeline = html[html.index('id="timeline-title"'):]
    assert len(re.findall(r'href="/articles/', timeline.split("</section>")[0])) == len(articles)
    if story.outlets > 1:
        perspectives = html[html.index('id="perspectives-title"'):]
        outlets = {a.outlet for a in articles if a.outlet}
        for outlet in outlets:
            assert f"<h3>{escape(outlet)}</h3>" in perspectives
    if story.reprints:
        assert "Also carried by" in html and "reprint" in timeline
    assert '<svg class="chart"' in html and 'role="img"' in html
    assert html.count('<rect class="bar"') >= 2
    for ext in ("rss", "atom", "json"):
        assert f'href="/stories/{story.id}/feed.{ext}"' in html


def test_outlet_page(web, demo_store):
    name, count = demo_store.list_outlets()[0]
    html = web.get(f"/outlets/{name}").text
    assert f'<h1 id="outlet-title">{escape(name)}</h1>' in html
    assert f"{count} article" in html
    assert '<svg class="chart"' in html
    assert web.get("/outlets/No Such Outlet").status_code == 404
    item = web.get("/").text
    assert 'class="outlet" href="/outlets/' in item


def test_charts_bucket_and_draw():
    times = [parse_time(t) for t in ("2026-11-20T01:10:00+00:00", "2026-11-20T03:00:00+00:00",
                                     "2026-11-20T03:59:00+00:00")]
    assert buckets(times) == [("20 Nov 01:00", 1), ("20 Nov 02:00", 0), ("20 Nov 03:00", 2)]
    days = buckets([parse_time("2026-11-01T00:00:00+00:00"), parse_time("2026-11-20T00:00:00+00:00")])
    assert len(days) == 20 and days[0] == ("01 Nov", 1) and days[-1] == ("20 Nov", 1)
    svg = bar_chart([("a<b", 1), ("c", 3)], "T & <x>")
    assert "a&lt;b: 1" in svg and "<script" not in svg and "T &amp; &lt;x&gt;" in svg
    assert bar_chart([("only", 1)], "one bar") == ""


@pytest.mark.parametrize("path", ["/feed", "/stories/{story}/feed", "/outlets/{outlet}/feed"])
def test_every_list_as_rss_atom_and_json_feed(web, demo_store, path):
    path = path.format(story=first_story(demo_store), outlet=demo_store.list_outlets()[0][0])
    rss = web.get(path + ".rss")
    assert rss.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(rss.content).find("channel")
    items = channel.findall("item")
    assert items and all(i.findtext("link").startswith("http://testserver/articles/") for i in items)
    assert all(i.findtext("guid") for i in items)
    atom = ET.fromstring(web.get(path + ".atom").content)
    entries = atom.findall(f"{ATOM}entry")
    assert len(entries) == len(items)
    assert all(e.findtext(f"{ATOM}updated") for e in entries)
    feed = web.get(path + ".json")
    assert feed.headers["content-type"].startswith("application/feed+json")
    doc = json.loads(feed.content)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert len(doc["items"]) == len(items)
    assert web.get(path + ".xml").status_code == 404


def test_hostile_article_is_escaped_in_feeds(web, demo_store):
    from newsdesk.models import Article

    demo_store.save_article(Article(id="evil", title="<script>alert(1)</script>\x01",
                                    outlet="Evil & Co", published_at="2030-01-01T00:00:00+00:00",
                                    text="<b>bold</b> & more"))
    rss = web.get("/feed.rss").content
    ET.fromstring(rss)  # still well-formed XML
    assert b"<script>" not in rss and b"&lt;script&gt;" in rss
    ET.fromstring(web.get("/feed.atom").content)
    assert json.loads(web.get("/feed.json").content)["items"][0]["title"].startswith("<script>")


def test_following_puts_followed_first_and_feeds_them(web, demo_store):
    register(web, "reader")
    stories = demo_store.list_stories(100)
    last = stories[-1]  # an older story, normally low on the front page
    followed = post_form(web, f"/stories/{last.id}", "/follow",
                         {"kind": "story", "target": last.id, "next": f"/stories/{last.id}"})
    assert followed.status_code == 303 and followed.headers["location"] == f"/stories/{last.id}"
    assert "Following ✓" in web.get(f"/stories/{last.id}").text
    home = web.get("/").text
    assert "From what you follow" in home
    section = home[home.index("From what you follow"):home.index('id="top-title"')]
    assert {a.id for a in demo_store.story_articles(last.id)} & set(
        re.findall(r'href="/articles/([^"]+)"', section))
    outlet = demo_store.list_outlets()[-1][0]
    post_form(web, "/", "/follow", {"kind": "outlet", "target": outlet})
    assert demo_store.follows(demo_store.user_by_name("reader").id) == [
        ("outlet", outlet), ("story", last.id)]
    assert post_form(web, "/", "/follow", {"kind": "story", "target": "nope"}).status_code == 404
    assert post_form(web, "/", "/follow", {"kind": "x", "target": "y"}).status_code == 400
    # The personal feed needs its private token; resetting the token cuts the old URL off.
    page = post_form(web, "/account", "/account/tokens", {"scope": "feed", "name": "feed"}).text
    token = re.search(r"/me/feed/(nd_[\w-]+)\.rss", page).group(1)
    web.cookies.clear()
    mine = ET.fromstring(web.get(f"/me/feed/{token}.rss").content).find("channel")
    links = {i.findtext("link").rsplit("/", 1)[1] for i in mine.findall("item")}
    assert {a.id for a in demo_store.story_articles(last.id) if not a.duplicate_of} <= links
    assert web.get("/me/feed/nd_guess.rss").status_code == 404
    from .conftest import login

    login(web, "reader")
    opml = web.get("/me/following.opml")
    assert opml.status_code == 200 and f"/stories/{last.id}/feed.rss" in opml.text
    post_form(web, "/account", "/account/tokens", {"scope": "feed", "name": "feed"})
    assert web.get(f"/me/feed/{token}.json").status_code == 404
    # Unfollow.
    post_form(web, "/account", "/follow", {"kind": "story", "target": last.id, "on": "0"})
    assert ("story", last.id) not in demo_store.follows(demo_store.user_by_name("reader").id)
