"""`docbao add URL`: fetching, extraction, the library files, and every failure, against a real HTTP server
on 127.0.0.1 (tests/unit/webserver.py). Nothing here reaches the internet: DNS and "no network" failures are
made at the socket layer, under the real httpx stack."""

from __future__ import annotations

import errno
import gzip
import json
import socket
import time
from pathlib import Path

import pytest

from docbao import __version__
from docbao.store import web
from docbao.store.articles import Library, load_file
from docbao.store.web import ADDED, EXISTS, UNCHANGED, UPDATED, WebError, WebOptions, add_url, article_id
from tests.conftest import SEED, run
from tests.unit.webserver import WebServer, html_page, rss, web_server, zeros

__all__ = ["web_server"]

PARAS = ["Ông Nguyễn Văn An, Chủ tịch UBND TP Hà Nội, cho biết: \"Thành phố sẽ hoàn thành dự án trong năm nay\".",
         "Theo Bộ Giao thông Vận tải, tuyến đường sắt đô thị Nhổn - ga Hà Nội đã chạy thử từ tháng trước.",
         "Người dân ở quận Cầu Giấy mong tuyến đường sớm được đưa vào khai thác."]
HEAD = ('<link rel="canonical" href="{canonical}">'
        '<meta name="author" content="Minh Anh">'
        '<meta property="og:site_name" content="Báo Ví Dụ">'
        '<meta property="article:published_time" content="2024-12-06T10:30:00+07:00">'
        '<meta name="description" content="Hà Nội đẩy nhanh tuyến đường sắt đô thị.">')
TITLE = "Hà Nội đẩy nhanh tuyến đường sắt đô thị"
FAST = WebOptions(connect_timeout=2, read_timeout=0.5, deadline=2.0)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "library"


def files(root: Path) -> list[str]:
    """Every file under root, hidden ones too (a temporary file left behind shows here)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def cp1258(text: str) -> bytes:
    """Text as the Windows Vietnamese code page writes it: letters with ă â ê ô ơ ư đ precomposed, the five
    tones as combining marks after them."""
    import unicodedata

    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
                       + "".join(c for c in d if c in tones))
    return "".join(out).encode("cp1258")


def serve_article(server: WebServer, path: str = "/thoi-su/bai-1.html", *, canonical: str | None = None,
                  paragraphs: list[str] | None = None, **kw: object) -> str:
    canonical = canonical or server.url(path)
    return server.route(path, html_page(TITLE, paragraphs or PARAS, head=HEAD.format(canonical=canonical)), **kw)


# -- an article with its metadata -------------------------------------------------------------------------
def test_add_keeps_the_article_and_its_metadata_in_a_file_docbao_reads(web_server, library) -> None:
    url = serve_article(web_server)
    res = add_url(url, library=library)
    assert res.status == ADDED and res.saved
    canonical = url
    assert res.path == library / "127.0.0.1" / f"{article_id(canonical)}.json"
    record = json.loads(res.path.read_text(encoding="utf-8"))
    assert record["format"] == "docbao-article" and record["id"] == article_id(canonical)
    assert record["title"] == TITLE and record["url"] == url and record["canonical"] == canonical
    assert (record["author"], record["site"], record["date"], record["language"]) == (
        "Minh Anh", "Báo Ví Dụ", "2024-12-06", "vi")
    assert record["description"].startswith("Hà Nội đẩy nhanh")
    assert record["fetched"].endswith("Z") and record["feed"] == ""
    assert record["text"] == "\n".join([TITLE, *PARAS])  # the title line first, as in a .txt article
    # the page as it came, beside it
    assert gzip.decompress((res.path.parent / record["html"]).read_bytes()) == web_server.routes[
        "/thoi-su/bai-1.html"].body
    # docbao's own loader reads it, with the metadata
    (art,) = load_file(res.path)
    assert art == res.article
    assert art.id == article_id(canonical) and art.title == TITLE and art.text == record["text"]
    assert art.source == canonical and art.citation_source == canonical
    assert {k: art.meta[k] for k in ("url", "canonical", "site", "author", "date", "language")} == {
        "url": url, "canonical": canonical, "site": "Báo Ví Dụ", "author": "Minh Anh", "date": "2024-12-06",
        "language": "vi"}
    assert art.meta["fetched"] == record["fetched"]
    # the request named docbao and its version, and asked for a page
    (req,) = web_server.hits("/thoi-su/bai-1.html")
    assert f"docbao/{__version__}" in req.headers["user-agent"]
    assert "text/html" in req.headers["accept"]
    # and nothing else is in the library: no temporary file left
    assert files(library) == [f"127.0.0.1/{record['html']}", f"127.0.0.1/{res.path.name}"]


def test_citation_source_is_the_canonical_url_when_the_page_gives_one(web_server, library) -> None:
    url = serve_article(web_server, "/a.html?utm_source=rss&id=7", canonical="https://example.com/thoi-su/a-7.html")
    res = add_url(url, library=library)
    assert res.article.citation_source == "https://example.com/thoi-su/a-7.html"
    assert res.article.meta["url"] == url
    assert res.path.parent.name == "example.com"


def test_a_home_page_canonical_is_not_taken_for_the_article(web_server, library) -> None:
    url = serve_article(web_server, "/bai-2.html", canonical="/")  # a template error some sites make
    res = add_url(url, library=library)
    assert res.article.meta["canonical"] == url


def test_a_redirect_is_followed_and_the_article_is_named_by_where_it_ended(web_server, library) -> None:
    new = web_server.route("/new.html", html_page(TITLE, PARAS))  # no canonical link
    old = web_server.route("/old.html", location="/new.html", status=301)
    res = add_url(old, library=library)
    assert res.status == ADDED
    record = json.loads(res.path.read_text(encoding="utf-8"))
    assert record["url"] == old and record["final_url"] == new and record["canonical"] == new
    assert res.article.id == article_id(new)
    assert [r.path for r in web_server.requests] == ["/old.html", "/new.html"]


def test_the_same_article_by_another_url_is_not_duplicated_and_refresh_says_what_it_did(web_server, library
                                                                                       ) -> None:
    url = serve_article(web_server)
    first = add_url(url, library=library)
    stamp = first.path.stat().st_mtime_ns
    # the canonical URL again: known, so not even fetched
    again = add_url(url, library=library)
    assert again.status == EXISTS and again.article == first.article
    assert len(web_server.hits("/thoi-su/bai-1.html")) == 1
    # another URL of the same article (tracking parameters, a redirect): fetched, found, nothing written
    web_server.route("/r", location=url + "?utm_source=facebook&fbclid=x")
    web_server.routes["/thoi-su/bai-1.html?utm_source=facebook&fbclid=x"] = web_server.routes["/thoi-su/bai-1.html"]
    other = add_url(web_server.url("/r"), library=library)
    assert other.status == EXISTS and other.path == first.path
    # refreshed: unchanged, then changed
    assert add_url(url, library=library, refresh=True).status == UNCHANGED
    assert first.path.stat().st_mtime_ns == stamp
    serve_article(web_server, paragraphs=[*PARAS, "Đoạn mới được thêm vào bài báo sau khi đăng."])
    upd = add_url(url, library=library, refresh=True)
    assert upd.status == UPDATED and upd.article.text.endswith("sau khi đăng.")
    assert upd.article.id == first.article.id
    assert len([f for f in files(library) if f.endswith(".json")]) == 1


def test_the_cli_says_which_and_the_library_opens_offline(web_server, library, capsys, monkeypatch) -> None:
    url = serve_article(web_server)
    code, out, err = run(capsys, "add", "--library", str(library), url)
    assert code == 0, err
    assert out.startswith(f"added: {TITLE}\n") and "(id " in out
    code, out, _ = run(capsys, "add", "--library", str(library), url)
    assert code == 0 and out.startswith("already in the library, not fetched")
    # offline: no connection can be made any more; what was fetched still reads, analyses, re-adds
    def no_network(*args: object, **kw: object) -> socket.socket:
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", no_network)
    code, out, _ = run(capsys, "add", "--library", str(library), url)
    assert code == 0 and out.startswith("already in the library")
    lib = Library.load([library])
    assert [a.title for a in lib.articles] == [TITLE] and not lib.errors
    code, out, err = run(capsys, "analyze", "--json", str(library))
    assert code == 0, err
    rec = json.loads(out)
    assert rec["title"] == TITLE and any(e["text"] == "Hà Nội" for e in rec["entities"])


def test_the_environment_variable_chooses_the_library(web_server, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DOCBAO_LIBRARY_DIR", str(tmp_path / "lib"))
    from docbao.store.paths import library_dir

    assert library_dir() == tmp_path / "lib"
    code, _, err = run(capsys, "add", serve_article(web_server))
    assert code == 0, err
    assert len(list((tmp_path / "lib").glob("*/*.json"))) == 1
    monkeypatch.delenv("DOCBAO_LIBRARY_DIR")
    monkeypatch.setenv("DOCBAO_DATA_DIR", str(tmp_path / "data"))
    assert library_dir() == tmp_path / "data" / "library"


# -- charsets ---------------------------------------------------------------------------------------------
def test_a_legacy_vietnamese_page_declared_in_its_meta_is_read(web_server, library) -> None:
    body = cp1258(html_page(TITLE, PARAS, charset="windows-1258"))
    url = web_server.route("/cp1258.html", body, content_type="text/html")
    res = add_url(url, library=library)
    assert res.article.text == "\n".join([TITLE, *PARAS]) and res.article.title == TITLE and not res.warnings


@pytest.mark.parametrize(("declared", "encode", "warning"), [
    ("utf-8", "cp1258", "the server declared utf-8, but the page is not utf-8; read as cp1258"),
    ("iso-8859-1", "utf-8", "the server declared iso-8859-1, but the page is UTF-8"),
    ("x-no-such-charset", "utf-8", "unknown charset 'x-no-such-charset'"),
])
def test_a_wrong_charset_is_read_as_what_the_page_really_is_and_said(web_server, library, capsys, declared,
                                                                     encode, warning) -> None:
    page = html_page(TITLE, PARAS, charset=declared)
    body = cp1258(page) if encode == "cp1258" else page.encode(encode)
    url = web_server.route("/x.html", body, content_type=f"text/html; charset={declared}")
    res = add_url(url, library=library)
    assert res.article.text == "\n".join([TITLE, *PARAS])
    assert any(warning in w for w in res.warnings), res.warnings
    code, _out, err = run(capsys, "add", "--refresh", "--library", str(library), url)
    assert code == 0 and f"docbao: warning: {url}: " in err


# -- failures: one line, nothing saved ----------------------------------------------------------------------
def _fail(url: str, library: Path, options: WebOptions = FAST) -> str:
    with pytest.raises(WebError) as info:
        add_url(url, library=library, options=options)
    message = str(info.value)
    assert message.startswith(f"{url}: ") and "\n" not in message
    assert files(library) == [], "nothing may be saved"
    return info.value.reason


@pytest.mark.parametrize(("route", "reason"), [
    ({"body": "<h1>Không tìm thấy</h1>", "status": 404}, "HTTP 404 Not Found (no such page"),
    ({"body": "<h1>Lỗi</h1>", "status": 500}, "HTTP 500 Internal Server Error (the site's server failed"),
    ({"body": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8, "content_type": "application/pdf"},
     "binary content, not a web page (the server sent application/pdf)"),
    ({"body": b"\x89PNG\r\n\x1a\n" + bytes(300), "content_type": "text/html; charset=utf-8"},
     "binary content, not a web page (though the server called it text/html)"),
    ({"body": '{"title": "x", "text": "y"}', "content_type": "application/json"},
     "not a web page (the server sent application/json)"),
    ({"body": "<html><body><nav><a href='/'>Trang chủ</a></nav></body></html>"},
     "no article text found on the page"),
    ({"body": "", "content_type": "text/html"}, "the server sent an empty page"),
    ({"body": rss("Tin", "http://example.com/", [("1", "http://example.com/1", "Một")]),
      "content_type": "application/rss+xml"}, "a feed, not a web page: follow it with `docbao feeds add`"),
    ({"body": html_page(TITLE, PARAS * 20), "content_length": 90_000},
     "the connection closed before the whole page arrived (truncated)"),
])
def test_each_failure_is_one_line_and_saves_nothing(web_server, library, route, reason) -> None:
    body = route.pop("body")
    url = web_server.route("/p", body, **route)
    assert reason in _fail(url, library)


def test_a_slow_server_times_out(web_server, library) -> None:
    url = web_server.route("/slow", html_page(TITLE, PARAS), delay=5.0)
    started = time.monotonic()
    assert "timed out: 127.0.0.1 sent nothing for 0.5 s" in _fail(url, library)
    assert time.monotonic() - started < 3


def test_a_page_that_drips_in_forever_is_stopped_at_the_deadline(web_server, library) -> None:
    url = web_server.route("/drip", html_page(TITLE, PARAS * 50), chunk=64, drip=0.1)
    started = time.monotonic()
    assert "too slow: the page was still arriving after 2 s" in _fail(url, library)
    assert time.monotonic() - started < 4


def test_a_50_mb_page_is_refused_from_its_length_without_reading_it(web_server, library) -> None:
    url = web_server.route("/big", zeros(50 * 1024 * 1024), content_length=50 * 1024 * 1024)
    assert "too large (50 MB; the limit is 20 MB); not downloaded" in _fail(url, library, WebOptions())
    assert web_server.sent.get("/big", 0) < 21 * 1024 * 1024


def test_a_50_mb_page_without_a_length_is_cut_off_at_the_limit(web_server, library) -> None:
    url = web_server.route("/big", zeros(50 * 1024 * 1024), content_length=None)
    started = time.monotonic()
    assert "too large (more than 20 MB, the limit); cut off there" in _fail(url, library, WebOptions())
    time.sleep(0.3)  # let the server notice the hang-up
    # the client stopped reading at 20 MB; the server got a few socket buffers further, never to 50 MB
    assert 20 * 1024 * 1024 < web_server.sent["/big"] < 30 * 1024 * 1024
    assert time.monotonic() - started < 20


def test_a_smaller_limit_is_honoured_while_streaming(web_server, library) -> None:
    url = web_server.route("/big", zeros(3 * 1024 * 1024), content_length=None)
    opts = WebOptions(max_bytes=1024 * 1024)
    assert "more than 1 MB" in _fail(url, library, opts)


def test_nothing_listening_is_a_refused_connection(library) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: the kernel refuses connections
        url = f"http://127.0.0.1:{port}/bai.html"
        assert "connection refused by 127.0.0.1" in _fail(url, library)


def test_a_dns_failure_says_the_host_was_not_found(library, monkeypatch) -> None:
    def no_such_host(*args: object, **kw: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    url = "http://bao-khong-ton-tai.example/bai.html"
    assert "cannot find the host bao-khong-ton-tai.example (DNS lookup failed" in _fail(url, library)


def test_no_network_is_said_so(library, monkeypatch) -> None:
    def unreachable(*args: object, **kw: object) -> socket.socket:
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    assert _fail("http://127.0.0.1:9/bai.html", library) == "no network (network is unreachable)"


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://example.com/a", "not a web address (docbao fetches http:// and https:// URLs)"),
    ("http://", "not a valid web address (no host)"),
    ("http://example.com:port/", "not a valid web address"),
    ("   ", "an empty address"),
])
def test_addresses_that_are_not_web_addresses(library, url, reason) -> None:
    with pytest.raises(WebError) as info:
        add_url(url, library=library)
    assert info.value.reason == reason and files(library) == []


def test_the_cli_prints_one_line_per_failure_keeps_the_others_and_exits_non_zero(web_server, library, capsys
                                                                                 ) -> None:
    good = serve_article(web_server)
    missing = web_server.url("/khong-co.html")
    pdf = web_server.route("/a.pdf", b"%PDF-1.4 " + bytes(500), content_type="application/pdf")
    code, out, err = run(capsys, "add", "--library", str(library), missing, good, pdf)
    assert code == 1
    assert err.splitlines() == [
        f"docbao: {missing}: HTTP 404 Not Found (no such page: check the address)",
        f"docbao: {pdf}: binary content, not a web page (the server sent application/pdf)",
    ]
    assert out.startswith(f"added: {TITLE}") and "Traceback" not in err
    assert len(list(library.glob("*/*.json"))) == 1


def test_a_write_that_fails_leaves_nothing_half_saved(web_server, library, monkeypatch) -> None:
    url = serve_article(web_server)
    real = web.os.replace

    def refuse_the_article(src: str, dst: str) -> None:
        if str(dst).endswith(".json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(web.os, "replace", refuse_the_article)
    with pytest.raises(WebError, match=r"could not save it in .*: No space left on device"):
        add_url(url, library=library)
    assert files(library) == []  # neither the article, nor its page, nor a temporary file


# -- the seed, served as a web page, analyses as the seed file does -----------------------------------------
def test_a_served_copy_of_the_seed_gives_the_seed_s_entities_and_quotes(web_server, library, capsys) -> None:
    lines = [ln for ln in SEED.read_text(encoding="utf-8").split("\n") if ln.strip()]
    # a news page: the headline (the seed's first line, its title) and the paragraphs
    url = web_server.route("/putin-lukashenko-minsk.html", html_page(lines[0], lines[1:]))
    code, _out, err = run(capsys, "add", "--library", str(library), url)
    assert code == 0, err
    (path,) = library.glob("*/*.json")
    code, seed_out, err = run(capsys, "analyze", "--json", "--no-cache", str(SEED))
    assert code == 0, err
    code, web_out, err = run(capsys, "analyze", "--json", "--no-cache", str(path))
    assert code == 0, err
    seed, got = json.loads(seed_out), json.loads(web_out)

    def entities(rec: dict) -> list[tuple[str, str]]:
        return [(e["text"], e["label"]) for e in sorted(rec["entities"], key=lambda e: e["start"])]

    def quotes(rec: dict) -> list[tuple[str, str, str | None]]:
        return [(q["text"], q["kind"], q["speaker"]["text"] if q["speaker"] else None)
                for q in sorted(rec["quotes"], key=lambda q: q["start"])]

    assert entities(seed) and quotes(seed)
    assert entities(got) == entities(seed)
    assert quotes(got) == quotes(seed)
