"""Tests the pages and API over the enrichment and search layers, on the ingested demo corpus:
entities, hashtags, search, ask, the daily wrap-up, story summaries, hashtag filter and feeds."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import escape

from .conftest import first_story, post_form, register


@pytest.fixture()
def person(demo_store):
    people = demo_store.list_entities("person", 5)
    assert people, "the demo corpus names people"
    return people[0]


@pytest.fixture()
def tag(demo_store):
    return demo_store.list_hashtags(1)[0][0]


def test_entity_page_shows_roles_quotes_and_co_mentions(web, demo_store, person):
    html = web.get(f"/entities/{person.key}").text
    assert f'<h1 id="entity-title">{escape(person.name)}</h1>' in html
    assert f"named in {person.articles} article" in html
    for role in demo_store.entity_roles(person.key)[:3]:
        assert f'href="/articles/{role.article_id}"' in html
    for quote in demo_store.entity_quotes(person.key, 3):
        assert str(escape(quote.text)) in html
    for other, _ in demo_store.co_mentioned(person.key, 3):
        assert f'href="/entities/{other.key}"' in html
    assert web.get("/entities/person-nobody-at-all").status_code == 404


def test_entity_list_filters_by_type(web, demo_store):
    html = web.get("/entities?type=person").text
    keys = re.findall(r'href="/entities/(person-[^"]+)"', html)
    assert keys and all(k.startswith("person-") for k in keys)
    assert "organization-" not in html.split('class="entity-list"')[1]
    assert web.get("/entities?type=planet").status_code == 400


def test_hashtag_pages_and_home_filter(web, demo_store, tag):
    listing = web.get("/hashtags").text
    assert f'href="/hashtags/{tag}">#{tag}</a>' in listing
    page = web.get(f"/hashtags/{tag}").text
    tagged = demo_store.hashtag_articles(tag, 100)
    assert len(re.findall(r'<h2 class="headline"><a href="/articles/', page)) == min(len(tagged), 30)
    assert web.get("/hashtags/NoSuchTagAnywhere").status_code == 404
    home = web.get("/", params={"hashtag": tag}).text
    assert f"Latest on #{tag}" in home
    ids = set(re.findall(r'href="/articles/([^"]+)"', home.split('id="feed-title"')[1]))
    assert ids and ids <= {a.id for a in tagged}


def test_search_and_ask_pages(web, demo_store):
    html = web.get("/search", params={"q": "OPCON"}).text
    assert html.count('<h2 class="headline">') >= 2
    assert 'href="/search/feed.rss?q=OPCON"' in html
    # Hits are escaped: a query with markup comes back as text.
    assert "&lt;script&gt;" in web.get("/search", params={"q": "<script>x</script>"}).text
    assert web.get("/search").status_code == 200  # the empty form
    ask = web.get("/ask", params={"q": "Who is the national security adviser?"}).text
    assert "<h2>Answer</h2>" in ask or "holds no answer" in ask
    story = first_story(demo_store)
    assert web.get("/ask", params={"q": "what happened", "story": story}).status_code == 200
    assert web.get("/ask", params={"q": "what happened", "story": "nope"}).status_code == 404


def test_story_page_has_summary_and_hashtags(web, demo_store):
    story = max(demo_store.list_stories(100), key=lambda s: s.articles)
    html = web.get(f"/stories/{story.id}").text
    for item in demo_store.story_summary(story.id):
        link = f'/articles/{item["article_id"]}#s{item["source_sentence"]}'
        assert link in html
    for tag in demo_store.story_hashtags(story.id):
        assert f'href="/hashtags/{tag}">#{tag}</a>' in html
    # A cited sentence of the summary exists in its article's body as an anchor.
    item = demo_store.story_summary(story.id)[0]
    article = web.get(f'/articles/{item["article_id"]}').text
    assert f'id="s{item["source_sentence"]}"' in article


def test_wrapup_page_and_api(web):
    html = web.get("/wrapup").text
    assert 'id="wrap-title"' in html and 'href="/stories/' in html
    data = web.get("/api/v1/wrapup").json()
    assert data["stories"] and data["date"] in html
    assert web.get("/wrapup", params={"date": "2026-13-45"}).status_code == 400
    assert web.get("/api/v1/wrapup", params={"date": "x"}).json()["error"]["status"] == 400


def test_enrichment_api(web, demo_store, person, tag):
    entities = web.get("/api/v1/entities", params={"type": "person", "per_page": 3}).json()
    assert len(entities["items"]) == 3 and entities["next"]
    detail = web.get(f"/api/v1/entities/{person.key}").json()
    assert detail["name"] == person.name and isinstance(detail["roles"], list)
    assert web.get("/api/v1/entities/nope").status_code == 404
    tags = web.get("/api/v1/hashtags", params={"limit": 5}).json()["items"]
    assert tags[0]["tag"] == tag
    arts = web.get(f"/api/v1/hashtags/{tag}/articles").json()
    assert arts["items"] and arts["page"] == 1
    hits = web.get("/api/v1/search", params={"q": "OPCON", "limit": 5}).json()
    assert 1 <= len(hits["items"]) <= 5 and {"id", "snippet", "score"} <= set(hits["items"][0])
    assert web.get("/api/v1/search").status_code == 400
    answer = web.get("/api/v1/ask", params={"q": "Who heads the defense ministry?"}).json()
    assert set(answer) == {"question", "answer", "citations"}


def test_enrichment_feeds(web, demo_store, person, tag):
    for path in (f"/entities/{person.key}/feed", f"/hashtags/{tag}/feed"):
        channel = ET.fromstring(web.get(path + ".rss").content).find("channel")
        assert channel.findall("item")
        ET.fromstring(web.get(path + ".atom").content)
        assert json.loads(web.get(path + ".json").content)["items"]
    assert json.loads(web.get("/search/feed.json", params={"q": "OPCON"}).content)["items"]
    assert web.get("/search/feed.rss").status_code == 400


def test_following_hashtags_people_and_searches(web, demo_store, person, tag):
    register(web, "fan")
    for kind, target in (("hashtag", tag), ("entity", person.key), ("search", "OPCON")):
        assert post_form(web, "/", "/follow", {"kind": kind, "target": target}).status_code == 303
    assert post_form(web, "/", "/follow", {"kind": "entity", "target": "nope"}).status_code == 404
    home = web.get("/").text
    followed = set(re.findall(r'href="/articles/([^"]+)"',
                              home.split("From what you follow")[1].split('id="top-title"')[0]))
    wanted = ({a.id for a in demo_store.hashtag_articles(tag, 50)}
              | {a.id for a in demo_store.entity_articles(person.key, 50)})
    assert followed & wanted
    opml = web.get("/me/following.opml").text
    assert f"/hashtags/{tag}/feed.rss" in opml and "/search/feed.rss?q=OPCON" in opml
    account = web.get("/account").text
    assert f'href="/entities/{person.key}"' in account
