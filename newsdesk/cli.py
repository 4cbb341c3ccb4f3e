"""The ``newsdesk`` command line: parses arguments and drives the layers; no logic of its own.

Exit status: 0 when every INPUT went through, 2 when any INPUT was bad (one line each on
stderr naming it and the reason; the others still go through), 1 on a setup error.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterable, Iterator, TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from . import __version__
from .config import Settings, load_settings
from .errors import ConfigError, InputError, NewsdeskError
from .ingest import opml
from .ingest.sources import expand_inputs, is_url, read_local
from .models import CORE_FIELDS, ENRICH_FIELDS, Article
from .pipeline import Outcome, Pipeline
from .store import Store, open_store

__all__ = ["main", "build_parser"]

log = logging.getLogger("newsdesk")
T = TypeVar("T")
EXPORT_FIELDS = (*CORE_FIELDS, "story_id", "duplicate_of", *ENRICH_FIELDS)


def _iso_arg(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser of every command (DESIGN.md's CLI contract)."""
    # SUPPRESS keeps a subcommand's unset --db from overwriting one given before the subcommand
    # ("newsdesk --db X ingest ..."); main() reads them with defaults.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="database URL (sqlite:///path.db); "
                        "default NEWSDESK_DB, else newsdesk.db in the user's data directory")
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more log output")
    parser = argparse.ArgumentParser(prog="newsdesk", parents=[common],
                                     description="A self-hosted AI news desk.")
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("extract", parents=[common], help="print the articles of INPUTs as JSON "
                       "(no database)")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="path, directory, - or URL")
    p.add_argument("--url", help="the URL the (single) INPUT was saved from")
    p.add_argument("--captured-at", type=_iso_arg, help="capture time for relative ages "
                   "(default: the file's modification time)")
    p.add_argument("--enrich", action="store_true", help="run the enrichment steps too")
    p.add_argument("--format", choices=("json", "text"), default="json")

    p = sub.add_parser("ingest", parents=[common], help="extract INPUTs and store them")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="path, directory, -, URL, feed, OPML or .jsonl")
    p.add_argument("--captured-at", type=_iso_arg, help="capture time for relative ages")
    _add_runner_args(p)

    p = sub.add_parser("export", parents=[common], help="print stored articles")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--since", type=_iso_arg, help="only articles published (else ingested) "
                   "at or after this time")

    p = sub.add_parser("feeds", parents=[common], help="manage followed feeds")
    fsub = p.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    fa = fsub.add_parser("add", parents=[common], help="follow a feed")
    fa.add_argument("url")
    fl = fsub.add_parser("list", parents=[common], help="list followed feeds and their state")
    fl.add_argument("--format", choices=("text", "json"), default="text")
    fi = fsub.add_parser("import", parents=[common], help="follow the feeds of an OPML file")
    fi.add_argument("file")
    fsub.add_parser("export", parents=[common], help="print followed feeds as OPML")

    p = sub.add_parser("crawl", parents=[common], help="poll due feeds and store new entries")
    p.add_argument("--once", action="store_true", help="poll what is due once, then exit")
    _add_runner_args(p)

    p = sub.add_parser("stories", parents=[common], help="list stories, latest first")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--limit", type=int, default=30, help="how many (default 30)")

    _add_search_parsers(sub, common)  # search and ask (issue 5)

    p = sub.add_parser("serve", parents=[common], help="run the web app")
    p.add_argument("--host", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")

    p = sub.add_parser("users", parents=[common], help="manage web accounts")
    usub = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    ua = usub.add_parser("add", parents=[common], help="add an account (password from the "
                         "NEWSDESK_PASSWORD variable, else asked for)")
    ua.add_argument("username")
    ua.add_argument("--role", choices=("reader", "editor", "admin"), default="reader")
    usub.add_parser("list", parents=[common], help="list accounts and their roles")
    ur = usub.add_parser("role", parents=[common], help="change an account's role")
    ur.add_argument("username")
    ur.add_argument("role", choices=("reader", "editor", "admin"))

    p = sub.add_parser("wrapup", parents=[common], help="the day's top stories with their "
                       "cited summaries and hashtags")  # wrapup (issue 4)
    p.add_argument("--date", help="the UTC day, YYYY-MM-DD (default: the newest article's day)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--limit", type=int, default=10, help="how many stories (default 10)")

    sub.add_parser("config", parents=[common], help="print settings (secrets masked)")

    # -- migrate (issue 7) -------------------------------------------------------------------
    p = sub.add_parser("migrate", parents=[common], help="copy a whole archive into an empty "
                       "database (e.g. SQLite to PostgreSQL)")
    p.add_argument("--from", dest="source", required=True, metavar="URL", help="source database URL")
    p.add_argument("--to", dest="target", required=True, metavar="URL", help="empty target database URL")
    return parser


def _add_runner_args(p: argparse.ArgumentParser) -> None:
    """Adds the choice of runner (docs/scale-out.md) to ingest and crawl."""
    p.add_argument("--runner", choices=("local", "ray"), default="local",
                   help="run the pipeline in this process (default) or on Ray")
    p.add_argument("--address", help="with --runner ray: the Ray cluster to join (ray://host:10001, "
                   "host:6379 or auto); default: start a local Ray")
    p.add_argument("--workers", type=int, help="with --runner ray and no --address: CPUs of the "
                   "local Ray (default: all)")


def _runner_pipeline(args: argparse.Namespace, settings: Settings, store: Store) -> Pipeline:
    from .runners import open_pipeline

    if args.runner != "ray" and (args.address or args.workers):
        raise ConfigError(f"{args.command}: --address and --workers need --runner ray")
    if args.address and args.workers:
        raise ConfigError(f"{args.command}: --workers sizes a local Ray; a cluster's CPUs are "
                          "set by `ray start --num-cpus` on its machines")
    return open_pipeline(settings, store, args.runner, args.address, args.workers)


# -- helpers ---------------------------------------------------------------------------------
def _error(message: str) -> None:
    print(f"newsdesk: {message}", file=sys.stderr)


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), transient=True, disable=not enabled,
                        console=None)
    with progress:
        yield progress


def _tracked(items: list[T], label: str) -> Iterator[T]:
    """Yields items with a progress bar on stderr when it is a terminal."""
    with _progress(sys.stderr.isatty() and len(items) > 1) as progress:
        task = progress.add_task(label, total=len(items))
        for item in items:
            yield item
            progress.advance(task)


def _inputs(values: Iterable[str], outcome_errors: list[str]) -> list[str]:
    found = []
    for item in expand_inputs(list(values)):
        if isinstance(item, InputError):
            outcome_errors.append(str(item))
        else:
            found.append(item)
    return found


def _report(errors: list[str]) -> int:
    for line in errors:
        _error(line)
    return 2 if errors else 0


# -- commands --------------------------------------------------------------------------------
def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    errors: list[str] = []
    values = _inputs(args.inputs, errors)
    if args.url and len(values) != 1:
        errors.append("extract: --url needs exactly one INPUT")
        return _report(errors)
    pipeline = Pipeline(settings, store=None)
    articles: list[Article] = []
    try:
        for value in _tracked(values, "extract"):
            outcome = pipeline.extract(value, args.captured_at)
            if outcome.feeds:
                errors.append(f"extract: {value}: an OPML list of feeds, not articles; "
                              "use `newsdesk feeds import`")
            for article in outcome.articles:
                if args.url and not article.url:
                    article.url = args.url
                    article.id = None
                    article.ensure_id()
            articles.extend(outcome.articles)
            errors.extend(outcome.errors)
        fields: tuple[str, ...] = (*CORE_FIELDS, "input")
        if args.enrich:
            from .enrich import run_enrichers

            run_enrichers(pipeline.enrichers, articles, None)  # extract never opens the database
            fields = (*fields, *ENRICH_FIELDS)
    finally:
        pipeline.close()
    if args.format == "json":
        json.dump([a.to_dict(fields) for a in articles], sys.stdout, ensure_ascii=False,
                  indent=2)
        sys.stdout.write("\n")
    else:
        for article in articles:
            meta = " · ".join(x for x in (article.outlet, article.credit and f"({article.credit})",
                                          article.byline, article.published_at) if x)
            sys.stdout.write(f"{article.title}\n{meta}\n\n{article.text}\n\n{'-' * 72}\n")
    return _report(errors)


def _poll_feeds(pipeline: Pipeline, feeds: list, errors: list[str]) -> tuple[int, int]:
    from .crawl import Crawler

    crawler = Crawler(pipeline)
    created = existing = 0
    results = pipeline.poll_feeds(crawler, feeds)  # in order; the Ray runner polls several at once
    for _feed in _tracked(feeds, "feeds"):
        result = next(results)
        created += result.created
        existing += result.existing
        if result.error:
            errors.append(result.error)
    return created, existing


def cmd_ingest(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    errors: list[str] = []
    values = _inputs(args.inputs, errors)
    pipeline = _runner_pipeline(args, settings, store)
    total = Outcome("all")
    try:
        outcomes = pipeline.ingest_many(values, args.captured_at)  # in order, as each commits
        for _value in _tracked(values, "ingest"):
            outcome = next(outcomes)
            errors.extend(outcome.errors)
            total.created += outcome.created
            total.existing += outcome.existing
            if outcome.feeds:  # an OPML file: follow its feeds and poll them once
                followed = [store.add_feed(url) for url in outcome.feeds]
                created, existing = _poll_feeds(pipeline, followed, errors)
                total.created += created
                total.existing += existing
    finally:
        pipeline.close()
    print(f"ingested {len(values)} input(s): {total.created} new article(s), "
          f"{total.existing} already stored, {len(errors)} error(s)", file=sys.stderr)
    return _report(errors)


def cmd_export(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    out = sys.stdout
    if args.format == "jsonl":
        for article in store.iter_articles(args.since):
            out.write(json.dumps(article.to_dict(EXPORT_FIELDS), ensure_ascii=False) + "\n")
        return 0
    writer = csv.writer(out)
    writer.writerow(EXPORT_FIELDS)
    for article in store.iter_articles(args.since):
        row = article.to_dict(EXPORT_FIELDS)
        writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, list) else
                         ("" if v is None else v) for v in row.values()])
    return 0


def cmd_feeds(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    if args.feeds_command == "add":
        if not is_url(args.url):
            return _report([f"feeds: {args.url}: not a URL"])
        from .ingest.netguard import check_url

        try:
            check_url(args.url, settings.allow_networks)
        except NewsdeskError as exc:
            return _report([str(exc)])
        feed = store.add_feed(args.url)
        print(f"following {feed.url} (id {feed.id})")
        return 0
    if args.feeds_command == "import":
        try:
            doc = read_local(args.file, settings.fetch_max_bytes)
            found = opml.parse_opml(doc.content, args.file)
        except NewsdeskError as exc:
            return _report([str(exc)])
        for item in found:
            store.add_feed(item.url, item.title, item.site_url)
        print(f"following {len(found)} feed(s) from {args.file}")
        return 0
    if args.feeds_command == "export":
        feeds = store.list_feeds()
        sys.stdout.write(opml.write_opml([(f.url, f.title, f.site_url) for f in feeds]))
        return 0
    feeds = store.list_feeds()
    if args.format == "json":
        json.dump([vars(f) for f in feeds], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for f in feeds:
        state = "paused" if f.paused else f"next {f.next_poll_at}"
        error = f"  errors {f.error_count}: {f.last_error}" if f.error_count else ""
        print(f"{f.id:>4}  {f.url}  {f.title or '-'}  {state}{error}")
    return 0


@contextmanager
def _stopped_by_signals():
    """Makes SIGINT and SIGTERM raise KeyboardInterrupt (as Ctrl-C does by default) while the
    crawler runs, even when it was started with SIGINT ignored, as a shell's background job
    or a test runner's child is: Python keeps an inherited "ignore". A batch cut short is
    not stored (its transaction never commits). The previous handlers come back afterwards,
    so ``main(["crawl", ...])`` called in-process leaves its caller's handlers as they were."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def cmd_crawl(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    from .crawl import Crawler

    pipeline = _runner_pipeline(args, settings, store)
    crawler = Crawler(pipeline)
    errors: list[str] = []
    with _stopped_by_signals():
        try:
            while True:
                due = crawler.due()
                created, existing = _poll_feeds(pipeline, due, errors)
                print(f"polled {len(due)} feed(s): {created} new article(s), {existing} already "
                      f"stored, {len(errors)} error(s)", file=sys.stderr)
                if args.once:
                    break
                for line in errors:
                    _error(line)
                errors.clear()
                time.sleep(crawler.seconds_until_next())
        except KeyboardInterrupt:
            pass
        finally:
            pipeline.close()
    # A feed error is recorded on the feed and retried later: it is not a bad INPUT.
    for line in errors:
        _error(line)
    return 0


def cmd_stories(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    found = store.list_stories(limit=max(1, args.limit))
    if args.format == "json":
        json.dump([s.to_dict() for s in found], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for s in found:
        print(f"{s.last_seen or '-':<25}  {s.articles:>3} articles  {s.outlets:>2} outlets  "
              f"{s.reprints:>2} reprints  {s.title}")
    return 0


def cmd_wrapup(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    from .wrapup import daily_wrapup, parse_day, render_text

    try:
        day = parse_day(args.date) if args.date else None
    except InputError as exc:
        return _report([str(exc)])
    wrap = daily_wrapup(store, day, limit=max(1, args.limit), settings=settings)
    if args.format == "json":
        json.dump(wrap.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(wrap))
    return 0


# -- search and ask (issue 5) ------------------------------------------------------------------
def _add_search_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("search", parents=[common], help="search articles (words and meaning)",
                       description='Query syntax: words, "exact phrase", -exclude, a OR b, prefix*.')
    p.add_argument("query", metavar="QUERY")
    for name, what in (("outlet", "from this outlet"), ("credit", "with this wire credit, e.g. Yonhap"),
                       ("person", "naming this person"), ("organization", "naming this organisation"),
                       ("place", "naming this place"), ("hashtag", "with this hashtag"),
                       ("story", "of this story id"), ("language", "in this language, e.g. en")):
        p.add_argument(f"--{name}", help=f"only articles {what}")
    p.add_argument("--since", type=_iso_arg, help="only articles published at or after this time")
    p.add_argument("--until", type=_iso_arg, help="only articles published before this time")
    p.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    p.add_argument("--mode", choices=("hybrid", "bm25", "vector"), default="hybrid",
                   help="retrievers to use (default hybrid: words and meaning, fused)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p = sub.add_parser("ask", parents=[common], help="answer a question from the archive, "
                       "with cited sentences")
    p.add_argument("question", metavar="QUESTION")
    p.add_argument("--format", choices=("text", "json"), default="text")


def cmd_search(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    from .search import SearchFilters, search

    if args.limit < 1:
        return _report([f"search: --limit {args.limit}: must be at least 1"])
    filters = SearchFilters(**{name: getattr(args, name) for name in (
        "outlet", "credit", "person", "organization", "place", "hashtag", "story", "language",
        "since", "until")})
    hits = search(store, args.query, filters=filters, limit=args.limit, settings=settings,
                  mode=args.mode)
    if args.format == "json":
        json.dump(hits, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not hits:
        print(f"no articles match {args.query!r}", file=sys.stderr)
    for hit in hits:
        meta = " · ".join(x for x in (hit["outlet"], hit["published_at"], hit["id"]) if x)
        copies = f"  (+{len(hit['copies'])} copies)" if hit["copies"] else ""
        print(f"{hit['title']}{copies}\n  {meta}\n  {hit['snippet']}\n")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    from .search import ask

    result = ask(store, args.question, settings)
    if args.format == "json":
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if result["answer"] is None:
        print("The archive holds no answer to that question.")
        return 0
    print(result["answer"] + "\n")
    for n, cite in enumerate(result["citations"], 1):
        meta = ", ".join(x for x in (cite["outlet"], cite["published_at"]) if x)
        print(f"[{n}] {cite['title']} ({meta})\n    \"{cite['sentence']}\"")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    import uvicorn

    from .web.app import create_app

    host = args.host or settings.web_host
    port = args.port or settings.web_port
    print(f"newsdesk: serving {store.url} on http://{host}:{port}/", file=sys.stderr)
    uvicorn.run(create_app(store, settings), host=host, port=port,
                log_level="warning" if not args.verbose else "info")
    return 0


def cmd_users(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    import getpass
    import os

    from .web.auth import create_account

    if args.users_command == "list":
        for user in store.list_users():
            print(f"{user.id:>4}  {user.username}  {user.role}"
                  f"{'  disabled' if user.disabled else ''}")
        return 0
    if args.users_command == "role":
        user = store.user_by_name(args.username)
        if user is None or not store.set_user_role(user.id, args.role):
            return _report([f"users: no account {args.username!r}"])
        print(f"{user.username} is now {args.role}")
        return 0
    password = os.environ.get("NEWSDESK_PASSWORD")
    if password is None:
        password = getpass.getpass(f"password for {args.username}: ")
        if getpass.getpass("again: ") != password:
            return _report(["users: the two passwords differ"])
    try:
        user = create_account(store, args.username, password, args.role)
    except ValueError as exc:
        return _report([f"users: {exc}"])
    print(f"added {user.username} ({user.role}, id {user.id})")
    return 0


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    width = max(len(name) for name, *_ in settings.rows())
    for name, value, origin, help_text in settings.rows():
        print(f"{name:<{width}}  {value}  [{origin}]\n{'':<{width}}  {help_text}")
    return 0


STORE_COMMANDS = {"ingest": cmd_ingest, "export": cmd_export, "feeds": cmd_feeds, "wrapup": cmd_wrapup,
                  "crawl": cmd_crawl, "stories": cmd_stories, "serve": cmd_serve, "users": cmd_users}
STORE_COMMANDS.update(search=cmd_search, ask=cmd_ask)  # issue 5
def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:  # issue 7
    from .store.postgres import redacted
    from .store.transfer import copy_database

    with _progress(sys.stderr.isatty()) as progress:
        task = progress.add_task("migrate", total=None)
        report = copy_database(args.source, args.target,
                               lambda table, n: progress.update(task, description=f"{table} {n}"))
    for table, n in report.rows.items():
        if n:
            print(f"{table}\t{n}")
    print(f"migrated {report.total} rows from {redacted(args.source)} to {redacted(args.target)}",
          file=sys.stderr)
    return 0


PLAIN_COMMANDS = {"extract": cmd_extract, "config": cmd_config, "migrate": cmd_migrate}


def main(argv: list[str] | None = None) -> int:
    """Runs the command line and returns its exit status."""
    args = build_parser().parse_args(argv)
    args.db = getattr(args, "db", None)
    args.verbose = getattr(args, "verbose", 0)
    try:
        settings = load_settings(db=args.db)
        level = logging.DEBUG if args.verbose > 1 else (
            logging.INFO if args.verbose else getattr(logging, settings.log_level.upper()))
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        if args.command in PLAIN_COMMANDS:
            return PLAIN_COMMANDS[args.command](args, settings)
        with open_store(settings.db_url) as store:
            return STORE_COMMANDS[args.command](args, settings, store)
    except NewsdeskError as exc:
        _error(str(exc))
        return 1
    except BrokenPipeError:  # `newsdesk export | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
