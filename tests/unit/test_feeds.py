"""Feeds: follow, refresh (new items only, conditional GET, a small pool, progress, failures kept apart),
unread counts, the feeds table (checked on load, exported, imported), and the `docbao feeds` commands. All
against a real HTTP server on 127.0.0.1 (tests/unit/webserver.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from docbao.store.annotations import AnnotationStore, Feed
from docbao.store.articles import Library
from docbao.store.export import export, import_native
from docbao.store.feeds import (
    Progress,
    counts,
    discover,
    feed_id,
    find_feed,
    follow,
    parse_feed,
    refresh,
    unfollow,
)
from docbao.store.storage import StoreError
from docbao.store.web import ADDED, EXISTS, WebError, WebOptions
from tests.conftest import run
from tests.unit.webserver import WebServer, html_page, http_date, rss, web_server

__all__ = ["web_server"]

FEED_TITLE = "Báo Ví Dụ - Thời sự"
RSS = "application/rss+xml; charset=utf-8"


def paragraphs(n: int) -> list[str]:
    return [f"Bài số {n}: ông Trần Văn Bình ở Hà Nội cho biết thành phố sẽ mở thêm tuyến xe buýt.",
            "Theo Sở Giao thông Vận tải, các tuyến mới phục vụ người dân ở ngoại thành từ tháng sau.",
            f"Đây là đoạn thứ ba của bài số {n}, đủ dài để là một bài báo thật."]


def serve_items(server: WebServer, n: int, *, first: int = 1, bad: dict[int, dict] | None = None,
                delay: float = 0.0) -> list[tuple[str, str, str]]:
    items = []
    for i in range(first, first + n):
        path = f"/bai/{i}.html"
        if bad and i in bad:
            server.route(path, **bad[i])
        else:
            server.route(path, html_page(f"Tin số {i}", paragraphs(i)), delay=delay)
        items.append((f"guid-{i}", server.url(path), f"Tin số {i}"))
    return items


def serve_feed(server: WebServer, items: list[tuple[str, str, str]], *, etag: str = '"v1"',
               last_modified: str = "", path: str = "/rss.xml") -> str:
    return server.route(path, rss(FEED_TITLE, server.url("/"), items), content_type=RSS, etag=etag,
                        last_modified=last_modified)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "library"


def page_hits(server: WebServer) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith("/bai/")]


# -- a feed of three items ----------------------------------------------------------------------------------
def test_a_feed_of_three_items_is_followed_and_fetched_into_the_library(web_server, store, library) -> None:
    url = serve_feed(web_server, serve_items(web_server, 3))
    followed = follow(store, url)
    assert followed.feed.title == FEED_TITLE and followed.feed.url == url and len(followed.parsed.entries) == 3
    assert followed.feed.etag == ""  # the first refresh must fetch everything
    seen: list[Progress] = []
    report = refresh(store, followed.feed, library=library, progress=seen.append)
    assert report.ok and report.new == 3 and report.added == 3
    assert report.summary() == f"{FEED_TITLE}: 3 new articles"
    assert [(p.done, p.total) for p in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert {p.status for p in seen[1:]} == {ADDED}
    assert sorted(page_hits(web_server)) == ["/bai/1.html", "/bai/2.html", "/bai/3.html"]
    # the articles: in the library, with their feed, readable offline by docbao
    lib = Library.load([library])
    assert sorted(a.title for a in lib.articles) == ["Tin số 1", "Tin số 2", "Tin số 3"]
    for a in lib.articles:
        assert a.meta["feed"] == url and a.meta["feed_title"] == FEED_TITLE
        assert a.meta["date"] == "2024-12-06"  # the item's pubDate: the page itself has none
    feed = store.get_feed(followed.feed.id)
    assert feed is not None and feed.etag == '"v1"' and feed.checked and feed.error == ""
    assert set(feed.items) == {"guid-1", "guid-2", "guid-3"}
    assert set(feed.items.values()) == {a.id for a in lib.articles}
    # unread: everything, until the reading state says otherwise
    assert counts(store, library)[feed.id].unread == 3
    store.set_reading(lib.articles[0].id, read=True)
    c = counts(store, library)[feed.id]
    assert (c.articles, c.unread) == (3, 2)


def test_the_second_refresh_is_a_304_and_fetches_nothing(web_server, store, library) -> None:
    url = serve_feed(web_server, serve_items(web_server, 3))
    feed = follow(store, url).feed
    refresh(store, feed, library=library)
    before = len(web_server.requests)
    seen: list[Progress] = []
    report = refresh(store, store.get_feed(feed.id), library=library, progress=seen.append)
    assert report.not_modified and report.ok and report.summary().endswith("not modified since the last refresh")
    new_requests = web_server.requests[before:]
    assert [r.path for r in new_requests] == ["/rss.xml"]
    assert new_requests[0].headers["if-none-match"] == '"v1"'
    assert [(p.done, p.total) for p in seen] == [(0, 0)]


def test_last_modified_alone_also_makes_a_conditional_get(web_server, store, library) -> None:
    stamp = http_date(time.time() - 3600)
    url = serve_feed(web_server, serve_items(web_server, 2), etag="", last_modified=stamp)
    feed = follow(store, url).feed
    refresh(store, feed, library=library)
    assert store.get_feed(feed.id).last_modified == stamp
    report = refresh(store, store.get_feed(feed.id), library=library)
    assert report.not_modified
    assert web_server.hits("/rss.xml")[-1].headers["if-modified-since"] == stamp


def test_a_refresh_fetches_only_the_new_items(web_server, store, library) -> None:
    items = serve_items(web_server, 3)
    url = serve_feed(web_server, items)
    feed = follow(store, url).feed
    refresh(store, feed, library=library)
    serve_feed(web_server, [*serve_items(web_server, 2, first=4), *items], etag='"v2"')
    before = len(page_hits(web_server))
    report = refresh(store, store.get_feed(feed.id), library=library)
    assert report.new == 2 and report.added == 2
    assert sorted(page_hits(web_server)[before:]) == ["/bai/4.html", "/bai/5.html"]
    assert counts(store, library)[feed.id].articles == 5
    # the newest items last in the record, the record capped far above any feed's size
    assert list(store.get_feed(feed.id).items)[-2:] in (["guid-5", "guid-4"], ["guid-4", "guid-5"])


def test_an_item_already_in_the_library_is_not_fetched_again(web_server, store, library) -> None:
    from docbao.store.web import add_url

    items = serve_items(web_server, 2)
    add_url(items[0][1], library=library)  # added by hand before the feed was followed
    url = serve_feed(web_server, items)
    report = refresh(store, follow(store, url).feed, library=library)
    assert sorted(r.status for r in report.results) == [ADDED, EXISTS]
    assert page_hits(web_server).count("/bai/1.html") == 1
    assert report.summary() == f"{FEED_TITLE}: 1 new article, 1 already in the library"


# -- 3 bad items out of 20 ----------------------------------------------------------------------------------
BAD = {
    4: {"body": "<h1>Không có</h1>", "status": 404},
    9: {"body": "<h1>Lỗi</h1>", "status": 500},
    15: {"body": b"%PDF-1.4 " + bytes(400), "content_type": "application/pdf"},
}


def test_three_bad_items_of_twenty_keep_the_seventeen_and_report_the_three(web_server, store, library) -> None:
    url = serve_feed(web_server, serve_items(web_server, 20, bad=BAD))
    feed = follow(store, url).feed
    seen: list[Progress] = []
    report = refresh(store, feed, library=library, progress=seen.append)
    assert report.new == 20 and report.added == 17 and not report.ok
    assert sorted(e.url for e in report.failures) == sorted(web_server.url(f"/bai/{i}.html") for i in BAD)
    reasons = {e.url.rsplit("/", 1)[1]: e.reason for e in report.failures}
    assert reasons["4.html"].startswith("HTTP 404") and reasons["9.html"].startswith("HTTP 500")
    assert "application/pdf" in reasons["15.html"]
    assert report.summary() == f"{FEED_TITLE}: 17 new articles, 3 failed (tried again at the next refresh)"
    assert [p.done for p in seen] == list(range(21)) and seen[-1].total == 20
    assert sum(p.status == "failed" for p in seen) == 3
    assert len(list(library.glob("*/*.json"))) == 17
    recorded = store.get_feed(feed.id)
    assert len(recorded.items) == 17 and recorded.etag == ""  # validators kept back: the next refresh retries
    # fixed on the site: the next refresh fetches the three, and only them
    for i in BAD:
        web_server.route(f"/bai/{i}.html", html_page(f"Tin số {i}", paragraphs(i)))
    before = len(page_hits(web_server))
    again = refresh(store, recorded, library=library)
    assert again.ok and again.added == 3
    assert sorted(page_hits(web_server)[before:]) == sorted(f"/bai/{i}.html" for i in BAD)
    assert store.get_feed(feed.id).etag == '"v1"'


def test_the_cli_prints_progress_and_one_line_per_failure(web_server, library, capsys) -> None:
    url = serve_feed(web_server, serve_items(web_server, 20, bad=BAD))
    code, out, err = run(capsys, "feeds", "add", "--library", str(library), url)
    assert code == 1
    lines = err.splitlines()
    failures = [ln for ln in lines if "/bai/" in ln]
    assert len(failures) == 3
    assert f"docbao: {web_server.url('/bai/4.html')}: HTTP 404 Not Found (no such page: check the address)" in failures
    assert any(ln.startswith(f"docbao: {web_server.url('/bai/15.html')}: ") for ln in failures)
    progress = [ln for ln in lines if ln not in failures]
    assert progress and progress[-1] == f"docbao: {FEED_TITLE}: 20/20 items, 3 failed"
    assert out.splitlines() == [f"following {FEED_TITLE}: {url}, 20 items",
                                f"{FEED_TITLE}: 17 new articles, 3 failed (tried again at the next refresh)"]
    assert "Traceback" not in err


def test_items_are_fetched_a_few_at_a_time(web_server, store, library) -> None:
    url = serve_feed(web_server, serve_items(web_server, 8, delay=0.4))
    feed = follow(store, url).feed
    started = time.monotonic()
    report = refresh(store, feed, library=library, workers=4)
    took = time.monotonic() - started
    assert report.added == 8
    assert took < 8 * 0.4 * 0.75, f"{took:.2f} s: the items were not fetched concurrently"


def test_an_item_without_a_link_keeps_the_text_the_feed_gives(web_server, store, library) -> None:
    body = ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Tin vắn</title>"
            "<link href='http://example.com/'/><id>urn:x</id><updated>2024-12-06T10:00:00Z</updated>"
            "<entry><id>urn:tin:1</id><title>Tin vắn số 1</title><updated>2024-12-06T10:00:00Z</updated>"
            "<content type='html'>&lt;p&gt;Bà Lê Thị Hoa ở Đà Nẵng nói rằng mưa lớn kéo dài ba ngày.&lt;/p&gt;"
            "</content></entry></feed>")
    url = web_server.route("/atom.xml", body, content_type="application/atom+xml")
    report = refresh(store, follow(store, url).feed, library=library)
    assert report.added == 1
    (art,) = Library.load([library]).articles
    assert art.title == "Tin vắn số 1" and "Bà Lê Thị Hoa ở Đà Nẵng" in art.text


# -- finding a feed, and failures ---------------------------------------------------------------------------
def test_a_page_that_announces_a_feed_is_followed_through_it(web_server, store) -> None:
    feed_url = serve_feed(web_server, serve_items(web_server, 1), path="/rss/thoi-su.rss")
    head = ('<link rel="alternate" type="application/rss+xml" title="Thời sự" href="/rss/thoi-su.rss">'
            '<link rel="alternate" type="application/atom+xml" href="/atom.xml">')
    page = web_server.route("/", html_page("Trang chủ", ["Tin mới nhất hôm nay."], head=head))
    followed = follow(store, page)
    assert followed.feed.url == feed_url and followed.discovered_from == page
    assert discover(html_page("x", ["y"], head=head), page) == [(feed_url, "Thời sự"),
                                                                (web_server.url("/atom.xml"), "")]
    with pytest.raises(StoreError, match="already followed"):
        follow(store, feed_url)
    with pytest.raises(StoreError, match="already followed"):
        follow(store, page)


def test_a_feed_served_as_text_html_is_still_a_feed(web_server, store) -> None:
    url = web_server.route("/rss", rss(FEED_TITLE, "http://example.com/", [("g", "http://example.com/1", "Một")]),
                           content_type="text/html; charset=utf-8")
    assert follow(store, url).feed.title == FEED_TITLE


@pytest.mark.parametrize(("route", "reason"), [
    ({"body": '{"items": []}', "content_type": "application/json"}, "not a feed (not RSS or Atom XML"),
    ({"body": "đây không phải XML", "content_type": "text/plain"}, "not a feed (not RSS or Atom XML"),
    ({"body": html_page("Trang chủ", ["Không có feed."])}, "no feed here: a web page that announces no RSS"),
    ({"body": "<rss", "status": 404}, "HTTP 404 Not Found"),
])
def test_what_is_not_a_feed_is_refused_in_one_line_and_nothing_is_followed(web_server, store, route, reason
                                                                           ) -> None:
    body = route.pop("body")
    url = web_server.route("/f", body, **route)
    with pytest.raises(WebError) as info:
        follow(store, url)
    assert str(info.value).startswith(f"{url}: ") and reason in info.value.reason and "\n" not in str(info.value)
    assert store.feeds() == []


def test_a_feed_that_stops_being_a_feed_records_why_and_keeps_what_it_had(web_server, store, library) -> None:
    url = serve_feed(web_server, serve_items(web_server, 2))
    feed = follow(store, url).feed
    refresh(store, feed, library=library)
    web_server.route("/rss.xml", "<html><body>Bảo trì</body></html>", status=503)
    report = refresh(store, store.get_feed(feed.id), library=library)
    assert report.error is not None and report.error.reason.startswith("HTTP 503")
    kept = store.get_feed(feed.id)
    assert kept.error.startswith("HTTP 503") and len(kept.items) == 2 and kept.etag == '"v1"'
    timeout = WebOptions(read_timeout=0.3, deadline=1)
    web_server.route("/rss.xml", rss(FEED_TITLE, "/", []), content_type=RSS, delay=3)
    report = refresh(store, kept, library=library, options=timeout)
    assert report.error is not None and "timed out" in report.error.reason


def test_parse_feed_reads_rss_and_atom_and_refuses_the_rest() -> None:
    parsed = parse_feed(rss("Tin", "http://example.com/", [("g", "http://example.com/1", "Một")]).encode(),
                        "http://example.com/rss")
    assert parsed.title == "Tin" and [(e.key, e.link, e.title, e.date) for e in parsed.entries] == [
        ("g", "http://example.com/1", "Một", "2024-12-06")]
    with pytest.raises(WebError, match="not a feed"):
        parse_feed(b"\x89PNG\r\n\x1a\n" + bytes(50), "http://example.com/x.png")


def test_a_feed_is_found_by_url_title_or_part_of_it_and_removed(web_server, store, library) -> None:
    url = serve_feed(web_server, serve_items(web_server, 1))
    feed = follow(store, url).feed
    assert find_feed(store, url) == feed and find_feed(store, feed.id) == feed
    assert find_feed(store, "thoi su") == feed and find_feed(store, "BÁO VÍ DỤ - THỜI SỰ") == feed
    with pytest.raises(StoreError, match="no feed matches 'kinh tế'"):
        find_feed(store, "kinh tế")
    store.add_feed(Feed(id="x", url="http://example.com/thoi-su-2.rss", title="Báo Khác - Thời sự",
                        added="2024-12-06T00:00:00.000000Z"))
    with pytest.raises(StoreError, match="matches several feeds"):
        find_feed(store, "thời sự")
    assert unfollow(store, "báo ví dụ") == feed
    assert [f.id for f in store.feeds()] == ["x"]


# -- the feeds table: checked on load, exported, imported ------------------------------------------------
def test_feeds_are_saved_in_the_database_and_survive_a_reopen(web_server, tmp_path, library) -> None:
    db = tmp_path / "db.json"
    url = serve_feed(web_server, serve_items(web_server, 2))
    with AnnotationStore.open(db) as s:
        feed = follow(s, url).feed
        refresh(s, feed, library=library)
    with AnnotationStore.open(db) as s:
        (again,) = s.feeds()
        assert again.id == feed_id(url) and again.title == FEED_TITLE and len(again.items) == 2


@pytest.mark.parametrize(("record", "reason"), [
    ({"id": "f", "url": "ftp://x", "added": "2024-12-06T00:00:00Z"}, "url is 'ftp://x', not an http(s) address"),
    ({"id": "f", "url": "http://x/rss", "added": "hôm qua"}, "added is 'hôm qua', not an ISO 8601 time"),
    ({"id": "f", "url": "http://x/rss", "added": "2024-12-06T00:00:00Z", "items": ["a"]}, "items is not an object"),
    ({"url": "http://x/rss", "added": "2024-12-06T00:00:00Z"}, "no 'id'"),
])
def test_a_damaged_feed_record_is_a_clear_error_on_load(tmp_path, record, reason) -> None:
    db = tmp_path / "db.json"
    raw = json.dumps({"meta": {"1": {"app": "docbao", "schema_version": 2}}, "feeds": {"1": record}}).encode()
    db.write_bytes(raw)
    with pytest.raises(StoreError) as info:
        AnnotationStore.open(db)
    assert f"feeds record 1: {reason}" in str(info.value) and "untouched" in str(info.value)
    assert db.read_bytes() == raw


def test_feeds_go_into_the_native_export_and_come_back_on_import(web_server, store, library) -> None:
    url = serve_feed(web_server, serve_items(web_server, 3))
    feed = refresh(store, follow(store, url).feed, library=library).feed
    data = json.loads(export(store, None, "json"))
    (exported,) = data["feeds"]
    assert exported["url"] == url and exported["title"] == FEED_TITLE and len(exported["items"]) == 3
    assert "etag" not in exported  # this machine's cache, not the user's data
    other = AnnotationStore.in_memory()
    text = json.dumps(data)
    report = import_native(other, text)
    assert (report.feeds_added, report.feeds_updated) == (1, 0) and "feeds: 1 added" in report.summary()
    (back,) = other.feeds()
    assert (back.id, back.url, back.title, dict(back.items)) == (feed.id, url, FEED_TITLE, dict(feed.items))
    assert back.etag == "" and back.checked is None
    again = import_native(other, text)
    assert (again.feeds_added, again.feeds_updated, again.feeds_unchanged) == (0, 0, 1)
    # a feed followed on both machines gains the items it lacked
    data["feeds"][0]["items"]["guid-99"] = "abcdef0123456789"
    merged = import_native(store, json.dumps(data))
    assert merged.feeds_updated == 1 and store.get_feed(feed.id).items["guid-99"] == "abcdef0123456789"
    # one article's export has no feeds; a bad feed record refuses the whole import
    (art,) = [a for a in Library.load([library]).articles if a.id == next(iter(feed.items.values()))]
    store.add(art, tags=["giao thông"])
    assert "feeds" not in json.loads(export(store, {art.id: art}, "json", article_id=art.id))
    data["feeds"][0]["url"] = "không phải URL"
    with pytest.raises(StoreError, match=r"feeds\[0\]: url is .* not an http\(s\) address; nothing was imported"):
        import_native(AnnotationStore.in_memory(), json.dumps(data))


# -- the commands ---------------------------------------------------------------------------------------------
def test_feeds_add_list_refresh_remove_from_the_command_line(web_server, library, capsys, tmp_path) -> None:
    db = str(tmp_path / "db.json")
    url = serve_feed(web_server, serve_items(web_server, 3))
    code, out, err = run(capsys, "feeds", "add", "--no-refresh", "--db", db, "--library", str(library), url)
    assert code == 0, err
    assert out == f"following {FEED_TITLE}: {url}, 3 items\n"
    code, out, err = run(capsys, "feeds", "refresh", "--db", db, "--library", str(library))
    assert code == 0, err
    assert out == f"{FEED_TITLE}: 3 new articles\n"
    assert err.splitlines()[-1] == f"docbao: {FEED_TITLE}: 3/3 items"
    code, out, err = run(capsys, "feeds", "refresh", "thời sự", "--db", db, "--library", str(library))
    assert code == 0 and out == f"{FEED_TITLE}: not modified since the last refresh\n"
    code, out, _ = run(capsys, "feeds", "list", "--db", db, "--library", str(library))
    assert code == 0
    assert out.splitlines()[:2] == ["unread  total  feed", f"     3      3  {FEED_TITLE}"]
    assert url in out and "last refreshed" in out
    with AnnotationStore.open(db) as s:
        s.set_reading(next(iter(s.feeds()[0].items.values())), read=True)
    code, out, _ = run(capsys, "feeds", "list", "--json", "--db", db, "--library", str(library))
    rec = json.loads(out)
    assert (rec["url"], rec["title"], rec["articles"], rec["unread"], rec["error"]) == (url, FEED_TITLE, 3, 2, None)
    code, out, err = run(capsys, "feeds", "add", "--db", db, url)
    assert code == 1 and err == f"docbao: {url}: already followed (as '{FEED_TITLE}')\n"
    code, out, _ = run(capsys, "feeds", "remove", "--db", db, "Báo Ví Dụ")
    assert code == 0 and "stay in your library" in out
    code, out, err = run(capsys, "feeds", "refresh", "--db", db, "nothing")
    assert code == 1 and err == "docbao: no feed matches 'nothing' (`docbao feeds list` shows them)\n"
    assert len(list(library.glob("*/*.json"))) == 3


def test_a_refresh_whose_feed_fails_exits_non_zero_with_one_line(web_server, library, capsys, tmp_path) -> None:
    db = str(tmp_path / "db.json")
    url = serve_feed(web_server, serve_items(web_server, 1))
    assert run(capsys, "feeds", "add", "--no-refresh", "--db", db, url)[0] == 0
    web_server.route("/rss.xml", '{"not": "xml"}', content_type="application/json")
    code, out, err = run(capsys, "feeds", "refresh", "--db", db, "--library", str(library))
    assert code == 1
    (line,) = err.splitlines()  # one line, naming the feed and why
    assert line.startswith(f"docbao: {url}: not a feed (not RSS or Atom XML: ")
    assert out == f"{FEED_TITLE}: failed: {err.split(': ', 2)[2].strip()}\n"
    code, out, _ = run(capsys, "feeds", "list", "--db", db)
    assert "the last refresh failed: not a feed" in out
