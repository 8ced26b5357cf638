"""`docbao add URL…` and `docbao feeds add|list|refresh|remove`: news from the web into the user's library.

The articles are files in the library folder ($DOCBAO_LIBRARY_DIR, default: the user data folder's
library/), readable offline by `docbao`, `docbao analyze` and every other command; the feeds followed are
in the annotation database (--db). Each handler returns the exit code: 0 done, 1 when anything failed
(one line ``docbao: <url>: <reason>`` on stderr per failure, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from docbao.tui.commands.common import err, formatter, guard, open_store

ADD_EPILOG = """\
Each page is fetched, its article text and metadata (title, author, date, site, canonical URL, language)
extracted, and kept in your library as a .json article with the page itself beside it (.html.gz). The
same article is kept once, whatever URL it was reached by (its canonical URL names it): adding it again
does not fetch it, --refresh fetches it again and updates it if it changed. Nothing is half-saved.

examples:
  docbao add https://example.com/thoi-su/bai-bao.html
  docbao add --refresh https://example.com/thoi-su/bai-bao.html

Then read them with `docbao LIBRARY` (and `docbao analyze LIBRARY`, …): LIBRARY is $DOCBAO_LIBRARY_DIR, by
default the folder library/ in docbao's user data folder; `docbao add` prints where each article went.
"""

FEEDS_EPILOG = """\
actions:
  add URL             follow an RSS or Atom feed (or the feed a web page announces) and fetch its items
  list                the feeds you follow, with their unread and total articles
  refresh [NAME|URL]  fetch the new items of every feed, or of one (a 304 Not Modified fetches nothing)
  remove NAME|URL     stop following a feed (its articles stay in your library)

examples:
  docbao feeds add https://example.com/rss/thoi-su.rss
  docbao feeds add https://example.com/          (finds the feed the page announces)
  docbao feeds refresh
  docbao feeds refresh "thời sự"
  docbao feeds list --json
"""


def _library(args: argparse.Namespace) -> Path:
    from docbao.store.paths import library_dir

    return Path(args.library).expanduser() if args.library else library_dir()


def _options(args: argparse.Namespace) -> Any:
    from docbao.store.web import WebOptions

    t = float(args.timeout)
    return WebOptions(connect_timeout=min(t, 10.0), read_timeout=t, deadline=max(3 * t, 60.0))


# -- add ------------------------------------------------------------------------------------------------
def cmd_add(args: argparse.Namespace) -> int:
    from docbao.store.articles import display_path
    from docbao.store.web import ADDED, EXISTS, UPDATED, WebError, add_url, make_client

    library = _library(args)
    options = _options(args)
    failures = 0
    with make_client(options) as client:
        for url in args.urls:
            try:
                res = add_url(url, library=library, client=client, options=options, refresh=args.refresh)
            except WebError as exc:
                err(str(exc))
                failures += 1
                continue
            for note in res.warnings:
                err(f"warning: {res.url}: {note}")
            a = res.article
            where = display_path(res.path)
            if res.status == ADDED:
                print(f"added: {a.title}\n  {where} (id {a.id})")
            elif res.status == UPDATED:
                print(f"updated (the page changed): {a.title}\n  {where} (id {a.id})")
            elif res.status == EXISTS:
                print(f"already in the library, not fetched (--refresh fetches it again): {a.title}\n"
                      f"  {where} (id {a.id})")
            else:
                print(f"unchanged (fetched again, the same): {a.title}\n  {where} (id {a.id})")
    return 1 if failures else 0


# -- feeds ----------------------------------------------------------------------------------------------
class ProgressLine:
    """A refresh's progress on stderr: one line rewritten in place on a terminal; elsewhere (a log, a pipe)
    a line now and then (about every tenth of a feed's items, and at its end)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.failed = 0
        self.shown = False

    def __call__(self, p: Any) -> None:
        if p.status == "failed":
            self.failed += 1
        if p.total == 0:
            return
        if p.done == 0:
            self.failed = 0
        line = f"docbao: {p.feed}: {p.done}/{p.total} items"
        if self.failed:
            line += f", {self.failed} failed"
        if self.tty:
            self.stream.write("\r\x1b[K" + line)
            self.shown = True
            if p.done == p.total:
                self.clear()
        elif p.done == p.total or (p.done and p.done % max(1, p.total // 10) == 0):
            self.stream.write(line + "\n")
        self.stream.flush()

    def clear(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _print_report(report: Any, progress: ProgressLine) -> None:
    progress.clear()
    if report.error is not None:
        err(str(report.error))
    for failure in report.failures:
        err(str(failure))
    for res in report.results:
        for note in res.warnings:
            err(f"warning: {res.url}: {note}")
    print(report.summary())


def cmd_feeds_add(args: argparse.Namespace) -> int:
    from docbao.store.feeds import follow, refresh
    from docbao.store.web import make_client

    store = open_store(args)
    options = _options(args)
    with make_client(options) as client:
        followed = follow(store, args.url, client=client, options=options)
        feed = followed.feed
        found = f" (announced by {followed.discovered_from})" if followed.discovered_from else ""
        print(f"following {feed.name}: {feed.url}{found}, {len(followed.parsed.entries)} items")
        if args.no_refresh:
            return 0
        progress = ProgressLine()
        report = refresh(store, feed, library=_library(args), client=client, options=options,
                         workers=args.jobs, progress=progress, prefetched=followed.response)
    _print_report(report, progress)
    return 0 if report.ok else 1


def cmd_feeds_list(args: argparse.Namespace) -> int:
    from docbao.store.feeds import counts

    store = open_store(args)
    feeds = store.feeds()
    if not feeds:
        if not args.json:
            err("no feeds yet (follow one with `docbao feeds add URL`)")
        return 0
    tally = counts(store, _library(args))
    if args.json:
        for f in feeds:
            c = tally[f.id]
            print(json.dumps({"id": f.id, "url": f.url, "title": f.title, "site": f.site, "added": f.added,
                              "checked": f.checked, "error": f.error or None, "articles": c.articles,
                              "unread": c.unread}, ensure_ascii=False))
        return 0
    print(f"{'unread':>6} {'total':>6}  feed")
    for f in feeds:
        c = tally[f.id]
        checked = f"last refreshed {f.checked[:16].replace('T', ' ')} UTC" if f.checked else "never refreshed"
        print(f"{c.unread:>6} {c.articles:>6}  {f.name}")
        print(f"{'':>15}{f.url} · {checked}")
        if f.error:
            print(f"{'':>15}the last refresh failed: {f.error}")
    return 0


def cmd_feeds_refresh(args: argparse.Namespace) -> int:
    from docbao.store.feeds import find_feed, refresh_all
    from docbao.store.web import make_client

    store = open_store(args)
    feeds = [find_feed(store, args.name)] if args.name else store.feeds()
    if not feeds:
        err("no feeds to refresh (follow one with `docbao feeds add URL`)")
        return 0
    options = _options(args)
    progress = ProgressLine()
    ok = True
    with make_client(options) as client:
        for feed in feeds:
            (report,) = refresh_all(store, [feed], library=_library(args), client=client, options=options,
                                    workers=args.jobs, progress=progress)
            _print_report(report, progress)
            ok = ok and report.ok
    return 0 if ok else 1


def cmd_feeds_remove(args: argparse.Namespace) -> int:
    from docbao.store.feeds import unfollow

    store = open_store(args)
    feed = unfollow(store, args.name)
    n = len(set(feed.items.values()))
    print(f"no longer following {feed.name} ({feed.url}); the {n} article{'s' if n != 1 else ''} fetched "
          f"from it stay in your library")
    return 0


# -- registration ---------------------------------------------------------------------------------------
def _web_options(p: argparse.ArgumentParser, add_db: Callable[[argparse.ArgumentParser], None] | None) -> None:
    p.add_argument("--library", metavar="DIR", default=None,
                   help="the library folder the articles go to (default: $DOCBAO_LIBRARY_DIR or the user "
                        "data folder's library/)")
    p.add_argument("--timeout", type=float, default=20.0, metavar="S",
                   help="seconds to wait for a server that sends nothing (default: 20)")
    if add_db is not None:
        add_db(p)


def register(sub: argparse._SubParsersAction, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("add", help="fetch web pages into your library as articles",
                       description="Fetch news articles from the web and keep them in your library.",
                       epilog=ADD_EPILOG, formatter_class=formatter)
    p.add_argument("urls", nargs="+", metavar="URL", help="the pages to fetch (http:// or https://)")
    p.add_argument("--refresh", action="store_true",
                   help="fetch an article already in the library again, and update it if it changed")
    _web_options(p, None)
    p.set_defaults(handler=guard(cmd_add))

    p = sub.add_parser("feeds", help="follow RSS and Atom feeds: add, list, refresh, remove",
                       description="Follow news feeds; their new items are fetched into your library.",
                       epilog=FEEDS_EPILOG, formatter_class=formatter)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = actions.add_parser("add", help="follow a feed (or the one a page announces) and fetch its items",
                           formatter_class=formatter)
    a.add_argument("url", metavar="URL", help="the feed's address, or a web page that announces a feed")
    a.add_argument("--no-refresh", action="store_true", help="only follow it; fetch the items later")
    a.add_argument("-j", "--jobs", type=int, default=4, metavar="N", help="pages fetched at once (default: 4)")
    _web_options(a, add_db)
    a.set_defaults(handler=guard(cmd_feeds_add))

    a = actions.add_parser("list", help="the feeds you follow, with unread and total articles",
                           formatter_class=formatter)
    a.add_argument("--json", action="store_true", help="one JSON object per feed per line")
    a.add_argument("--library", metavar="DIR", default=None, help="the library folder (for the counts)")
    add_db(a)
    a.set_defaults(handler=guard(cmd_feeds_list))

    a = actions.add_parser("refresh", help="fetch the new items of every feed, or of one",
                           formatter_class=formatter)
    a.add_argument("name", nargs="?", metavar="NAME|URL", help="one feed: its URL or (part of) its title")
    a.add_argument("-j", "--jobs", type=int, default=4, metavar="N", help="pages fetched at once (default: 4)")
    _web_options(a, add_db)
    a.set_defaults(handler=guard(cmd_feeds_refresh))

    a = actions.add_parser("remove", help="stop following a feed (its articles stay in your library)",
                           formatter_class=formatter)
    a.add_argument("name", metavar="NAME|URL", help="the feed's URL or (part of) its title")
    add_db(a)
    a.set_defaults(handler=guard(cmd_feeds_remove))
