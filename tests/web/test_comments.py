"""Tests threaded comments: posting, replies, edit and delete by the author, escaping, safe
links, automatic moderation with reasons, the moderation queue and posting rate limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .conftest import csrf_of, first_article, login, make_user, post_form, register


def _post(web, article, body, parent=None):
    data = {"body": body}
    if parent is not None:
        data["parent_id"] = str(parent)
    return post_form(web, f"/articles/{article}", f"/articles/{article}/comments", data)


def _age(store, username, days=3):
    """Backdates an account so that the new-account link rule does not apply."""
    user = store.user_by_name(username)
    old = (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat()
    store._writer.execute("UPDATE users SET created_at = ? WHERE id = ?", (old, user.id))


def test_post_reply_and_see_threads(web, demo_store):
    article = first_article(demo_store)
    register(web, "alice")
    first = _post(web, article, "A first comment.\n\nWith two paragraphs.")
    assert first.status_code == 303
    cid = int(re.search(r"#c(\d+)$", first.headers["location"]).group(1))
    reply = _post(web, article, "A reply to it.", parent=cid)
    assert reply.status_code == 303
    html = web.get(f"/articles/{article}").text
    section = html[html.index('id="comments"'):]
    assert "<p>A first comment.</p><p>With two paragraphs.</p>" in section
    # The reply sits in a nested list inside its parent's item.
    parent_item = section[section.index(f'id="c{cid}"'):]
    nested = parent_item[parent_item.index('<ol class="thread">'):]
    assert "A reply to it." in nested
    assert demo_store.get_comment(cid + 1).parent_id == cid


def test_signed_out_readers_see_comments_but_no_form(web, demo_store, app):
    article = first_article(demo_store)
    register(web, "bob")
    _post(web, article, "Visible to all.")
    web.cookies.clear()
    html = web.get(f"/articles/{article}").text
    assert "Visible to all." in html
    assert 'name="body"' not in html and "to comment" in html
    assert web.post(f"/articles/{article}/comments", data={"body": "x"},
                    follow_redirects=False).status_code in (401, 403)


def test_comment_text_is_escaped_and_links_are_safe(web, demo_store):
    article = first_article(demo_store)
    register(web, "carol")
    _age(demo_store, "carol")
    body = ('<script>alert(1)</script> <img src=x onerror=alert(2)> '
            'see https://example.com/a?b=1 and javascript:alert(3)')
    assert _post(web, article, body).status_code == 303
    html = web.get(f"/articles/{article}").text
    section = html[html.index('id="comments"'):html.index("</section>", html.index('id="comments"'))]
    assert "<script" not in section and "<img" not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert ('<a href="https://example.com/a?b=1" rel="nofollow ugc noopener noreferrer">'
            in section)
    assert 'href="javascript' not in section


def test_edit_and_delete_by_author_only(app, web, demo_store):
    from starlette.testclient import TestClient

    article = first_article(demo_store)
    register(web, "dave")
    cid = int(_post(web, article, "Original text.").headers["location"].rsplit("c", 1)[1])
    edited = post_form(web, f"/comments/{cid}/edit", f"/comments/{cid}/edit",
                       {"body": "Edited text."})
    assert edited.status_code == 303
    assert demo_store.get_comment(cid).body == "Edited text."
    assert demo_store.get_comment(cid).edited_at is not None
    with TestClient(app) as other:
        register(other, "eve")
        assert other.get(f"/comments/{cid}/edit").status_code == 403
        token = csrf_of(other.get("/").text)
        for action in (f"/comments/{cid}/edit", f"/comments/{cid}/delete"):
            response = other.post(action, data={"csrf": token, "body": "hijack"},
                                  follow_redirects=False)
            assert response.status_code == 403, action
        reply = _post(other, article, "Reply before the delete.", parent=cid)
        assert reply.status_code == 303
    deleted = post_form(web, f"/articles/{article}", f"/comments/{cid}/delete", {})
    assert deleted.status_code == 303
    html = web.get(f"/articles/{article}").text
    assert "Edited text." not in html
    assert "[deleted]" in html and "Reply before the delete." in html  # the thread stays


def test_bad_comments_are_400s(web, demo_store):
    article = first_article(demo_store)
    register(web, "fay")
    assert _post(web, article, "   ").status_code == 400
    assert _post(web, article, "x" * 5001).status_code == 400
    assert _post(web, article, "reply", parent=999999).status_code == 400
    assert _post(web, article, "reply", parent="abc").status_code == 400
    response = post_form(web, "/", "/articles/nope/comments", {"body": "hello"})
    assert response.status_code == 404


def test_spam_is_held_with_reasons_shown_to_moderators(app, web, demo_store):
    from starlette.testclient import TestClient

    article = first_article(demo_store)
    register(web, "gus")
    held = _post(web, article, "BUY NOW!!!!!!!!!!!! at http://a.example http://b.example "
                               "http://c.example")
    cid = int(held.headers["location"].rsplit("c", 1)[1])
    comment = demo_store.get_comment(cid)
    assert comment.status == "pending"
    assert "3 links" in comment.reason and "spam phrase" in comment.reason
    assert "repeated" in comment.reason
    # The author sees it marked as waiting; others do not see it at all.
    assert "awaiting moderation" in web.get(f"/articles/{article}").text
    with TestClient(app) as other:
        assert "BUY NOW" not in other.get(f"/articles/{article}").text
        make_user(demo_store, "mod", "editor")
        login(other, "mod")
        queue = other.get("/moderation").text
        assert "BUY NOW" in queue and "3 links (more than 2)" in queue
        approve = post_form(other, "/moderation", f"/moderation/{cid}", {"action": "approve"})
        assert approve.status_code == 303
        assert demo_store.get_comment(cid).status == "visible"
        assert "Nothing is waiting" in other.get("/moderation").text
        # Deciding twice, or a bad action, is refused.
        assert post_form(other, "/moderation", f"/moderation/{cid}",
                         {"action": "approve"}).status_code == 404
    web.cookies.clear()
    assert "BUY NOW" in web.get(f"/articles/{article}").text


def test_rejected_comments_disappear(app, web, demo_store):
    from starlette.testclient import TestClient

    article = first_article(demo_store)
    register(web, "hal")
    cid = int(_post(web, article, "kill yourself").headers["location"].rsplit("c", 1)[1])
    assert "abuse phrase" in demo_store.get_comment(cid).reason
    with TestClient(app) as mod:
        make_user(demo_store, "mod2", "editor")
        login(mod, "mod2")
        assert post_form(mod, "/moderation", f"/moderation/{cid}",
                         {"action": "nope"}).status_code == 400
        assert post_form(mod, "/moderation", f"/moderation/{cid}",
                         {"action": "reject"}).status_code == 303
    assert demo_store.get_comment(cid).status == "rejected"
    assert "kill yourself" not in web.get(f"/articles/{article}").text


def test_new_account_links_and_duplicates_are_held(web, demo_store):
    article = first_article(demo_store)
    register(web, "ian")
    link = _post(web, article, "Source: https://example.com/report")
    assert demo_store.get_comment(int(link.headers["location"].rsplit("c", 1)[1])).reason == \
        "link from an account less than a day old"
    _post(web, article, "Same words twice.")
    dup = _post(web, article, "same words, TWICE")
    reason = demo_store.get_comment(int(dup.headers["location"].rsplit("c", 1)[1])).reason
    assert reason.startswith("same text as comment #") and "posted twice" in reason


def test_posting_is_rate_limited(web, demo_store, web_settings):
    article = first_article(demo_store)
    register(web, "jan")
    for i in range(web_settings.web_comment_rate_limit):
        assert _post(web, article, f"Comment number {i}.").status_code == 303
    limited = _post(web, article, "One too many.")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "600"
    assert "at most 5 comments in 10 minutes" in limited.text


def test_editors_are_not_held_or_limited(web, demo_store, web_settings):
    article = first_article(demo_store)
    make_user(demo_store, "eddie", "editor")
    login(web, "eddie")
    for i in range(web_settings.web_comment_rate_limit + 1):
        response = _post(web, article, f"Editor note {i} http://example.com")
        assert response.status_code == 303
    assert all(c.status == "visible" for c in demo_store.user_comments(
        demo_store.user_by_name("eddie").id))
