"""Tests the article page's enrichment panel: hashtags, summary sentences linked into the body,
people with roles and key quotes, each shown only when the article carries the data."""

from __future__ import annotations

import re

from newsdesk.enrich.entitynames import entity_key
from newsdesk.models import Article
from newsdesk.web.articleview import article_view

TEXT = ("The central bank held its key rate at 2.50% on Thursday. Governor Rhee said prices "
        "were easing.\n\nAnalysts had expected the pause. Markets barely moved.")


def _article(**enrichment) -> Article:
    return Article(id="enriched", title="Bank holds rate", text=TEXT, outlet="Ledger",
                   published_at="2026-11-26T02:00:00+00:00", **enrichment)


def test_plain_article_has_no_panel(web, demo_store):
    demo_store.save_article(_article())
    html = web.get("/articles/enriched").text
    assert "ai-panel" not in html and 'class="hashtags"' not in html
    assert "<p>Analysts had expected the pause. Markets barely moved.</p>" in html


def test_summary_links_to_its_sentences(web, demo_store):
    demo_store.save_article(_article(
        summary=[{"text": "The central bank held its key rate at 2.50% on Thursday.",
                  "source_sentence": 0},
                 {"text": "Analysts had expected the pause.", "source_sentence": 2},
                 {"text": "bad index", "source_sentence": 99}, "not a dict"],
        hashtags=["BankOfKorea", "<b>Rates</b>"],
        entities=[{"name": "Rhee Chang-yong", "type": "person", "mentions": 2,
                   "roles": ["Governor"], "affiliations": ["Bank of Korea"]},
                  {"name": "Seoul", "type": "place", "roles": ["capital"]},
                  {"name": "No Role", "type": "person"}],
        quotes=[{"text": "Prices are easing", "speaker": "Rhee Chang-yong"},
                {"text": "<script>x</script>", "speaker": None, "speaker_description": "an official"}]))
    html = web.get("/articles/enriched").text
    assert '<a href="#s0" title="Show this sentence in the article">The central bank' in html
    assert '<a href="#s2"' in html and "<li>bad index</li>" in html
    assert ('<span class="sentence" id="s0">The central bank held its key rate at 2.50% on '
            'Thursday.</span>') in html
    assert re.search(r'<p><span class="sentence" id="s2">Analysts had expected the pause\.</span> '
                     r'<span class="sentence" id="s3">Markets barely moved\.</span></p>', html)
    assert '<li><a href="/hashtags/BankOfKorea">#BankOfKorea</a></li>' in html
    assert "#&lt;b&gt;Rates&lt;/b&gt;" in html
    people = html[html.index('class="people"'):]
    # Saving the article indexed its people, so the name links to the person's page.
    key = entity_key("Rhee Chang-yong", "person")
    assert (f'<a class="name" href="/entities/{key}">Rhee Chang-yong</a> '
            '<span class="role">Governor, Bank of Korea') in people
    assert "Seoul" not in people.split("</ul>")[0] and "No Role" not in html
    assert f'<q>Prices are easing</q> <span class="speaker">— <a href="/entities/{key}">' in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "— an official" in html
    assert "<script" not in html


def test_view_skips_malformed_fields():
    view = article_view(_article(summary="nonsense", entities=[1, None], quotes=[{"text": 3}],
                                 hashtags=[None, " ", "Ok"]))
    assert not view.has_panel and view.sentences is None and view.hashtags == ["Ok"]
