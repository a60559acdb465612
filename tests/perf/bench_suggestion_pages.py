"""Benchmark: the suggestions' public pages for anonymous visitors with 200,000 suggestions, as
ratios to `/ping` (issue 14: the campaign page and the suggestion list at ≥ 0.5× `/ping`).

    createdb -h 127.0.0.1 -U postgres minsheng_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/minsheng_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_data --suggestions 200000   # four campaigns, 100,000 in gen-feedback
    .venv/bin/python manage.py compute_campaign_analyses             # beat's job: the hot topics shown
    .venv/bin/python tests/perf/bench_suggestion_pages.py             # about six minutes

Two measures, each printed as a table:

1. **Cost of one page** in-process (Django's test client through every middleware, one request at
   a time): each page with the page cache defeated (a new generation before each request, as
   after any public change: a new suggestion, an answer, a follow) and cached, best of --repeat,
   with its queries; `/ping` likewise. The ratio is /ping's time over the page's.
2. **Throughput** under --users concurrent anonymous visitors on keep-alive connections (a
   client process per ten users) against gunicorn as `tests/perf/load.py` runs it (8 gthread
   workers × 2 threads, Redis cache): `/ping`; the campaign pages; the list (pages 2–100,
   filters by category, answer and month, searches), each URL drawn by Zipf popularity (the URL of
   rank k in proportion to 1/k), every URL requested once beforehand; then the same on a second
   gunicorn whose page cache is Django's dummy cache (every request renders). The three kinds
   take turns in --rounds rounds, so load from elsewhere on the machine weighs on them alike; the
   ratio is a kind's requests per second over `/ping`'s on the same server.

The database's name must contain "bench" (or pass --yes). The page cache uses Redis database 9
under the key prefix `bench-suggestions-<run>`, so nothing of other runs is read or cleared.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import http.client
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SLUGS = ("gen-feedback", "gen-collection", "gen-summary", "gen-analysis")  # the largest first
SEARCHES = ("公交", "垃圾分类", "电梯", "停车", "养老", "充电桩", "学位", "路灯", "噪音", "托育", "绿道", "一网通办")
PROCESSES: list[subprocess.Popen] = []


REMOVE_AT_EXIT: list[Path] = []


@atexit.register
def _stop_all() -> None:
    for process in PROCESSES:
        _stop(process)
    for folder in REMOVE_AT_EXIT:
        shutil.rmtree(folder, ignore_errors=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


# --- what visitors ask for -------------------------------------------------------------------------


def page_sets() -> dict[str, list[str]]:
    """{"campaign": the campaign pages, "list": list pages and filters}, the most popular first."""
    from django.utils import timezone

    from suggestions.models import Campaign, Outcome
    from suggestions.selectors import AWAITING

    campaigns = list(Campaign.objects.filter(slug__in=SLUGS, is_published=True))
    campaigns.sort(key=lambda campaign: SLUGS.index(campaign.slug))
    if len(campaigns) != len(SLUGS):
        sys.exit("the generated campaigns are missing: run manage.py generate_data --suggestions 200000 first")
    lists = []
    for campaign in campaigns:
        base = f"/suggestions/{campaign.slug}/"
        categories = list(campaign.categories.values_list("pk", flat=True))
        months = []
        day = campaign.collection_on.replace(day=1)
        while day <= min(campaign.analysis_on, timezone.localdate()):
            months.append(f"{day:%Y-%m}")
            day = (day + timedelta(days=32)).replace(day=1)
        lists += [f"{base}?page={page}" for page in range(2, 101)]
        lists += [f"{base}?category={category}" for category in categories]
        lists += [f"{base}?category={category}&page={page}" for category in categories for page in (2, 3)]
        lists += [f"{base}?outcome={outcome}" for outcome in [*Outcome.values, AWAITING]]
        lists += [f"{base}?month={month}" for month in months]
        lists += [f"{base}?q={urllib.parse.quote(word)}" for word in SEARCHES]
    # Popularity follows the order: the largest campaign's first pages and filters first.
    rng = random.Random(20261130)
    head, tail = lists[:40], lists[40:]
    rng.shuffle(tail)
    return {"campaign": [f"/suggestions/{campaign.slug}/" for campaign in campaigns], "list": head + tail}


# --- 1. the cost of one page, in-process -------------------------------------------------------------


def costs(sets: dict[str, list[str]], repeat: int) -> list[tuple[str, float, int, float, int]]:
    """[(url, uncached ms, queries, cached ms, queries)], each the best of `repeat` (the page's own
    cost on a machine other work may share; /ping is timed the same way)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.pagecache import public_content_changed

    client = Client(HTTP_HOST="127.0.0.1")
    chosen = ["/ping", "/suggestions/", *sets["campaign"][:2]]
    chosen += [url for url in sets["list"] if url.startswith(f"/suggestions/{SLUGS[0]}/")][:1]
    picks = ("?category=", "?outcome=adopted", "?month=", "?q=")
    chosen += [next(url for url in sets["list"] if url.startswith(f"/suggestions/{SLUGS[0]}/{pick}")) for pick in picks]

    def timed(url: str, fresh: bool) -> tuple[float, int]:
        times, queries = [], 0
        for _ in range(repeat):
            if fresh:
                public_content_changed()  # outside a transaction: the new generation at once
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                sys.exit(f"{url}: {response.status_code}")
            times.append(elapsed * 1000)
            queries = len(captured.captured_queries)
        return min(times), queries

    rows = []
    for url in chosen:
        uncached, uncached_queries = timed(url, fresh=True)
        cached, cached_queries = timed(url, fresh=False)
        rows.append((url, uncached, uncached_queries, cached, cached_queries))
    return rows


# --- 2. throughput against gunicorn ------------------------------------------------------------------


def _visitor(port: int, urls: list[str], weights: list[float], until: float, seed: int, out: list) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = errors = 0
    latencies = []
    while time.monotonic() < until:
        url = rng.choices(urls, weights=weights)[0] if len(urls) > 1 else urls[0]
        started = time.perf_counter()
        try:
            connection.request("GET", url, headers={"Host": "127.0.0.1", "Accept-Language": "zh-hans"})
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
        done += 1
        errors += not ok
    connection.close()
    out.append((done, errors, latencies))


def _client(port: int, urls: list[str], users: int, seconds: float, seed: int, queue) -> None:
    weights = [1 / rank for rank in range(1, len(urls) + 1)]
    until = time.monotonic() + seconds
    out: list = []
    threads = [
        threading.Thread(target=_visitor, args=(port, urls, weights, until, seed * 1000 + n, out)) for n in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(out)


def phase(port: int, urls: list[str], users: int, seconds: float) -> tuple[int, int, list[float]]:
    """(requests answered, errors, latencies) of `users` visitors for `seconds`."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    per_process = 10
    clients = []
    for n in range(0, users, per_process):
        process = context.Process(target=_client, args=(port, urls, min(per_process, users - n), seconds, n, queue))
        process.start()
        clients.append(process)
    results = [item for _ in clients for item in queue.get()]
    for process in clients:
        process.join()
    return (
        sum(done for done, _, _ in results),
        sum(errors for _, errors, _ in results),
        [latency for _, _, values in results for latency in values],
    )


class Tally:
    """One phase's requests over its rounds."""

    def __init__(self):
        self.requests = self.errors = 0
        self.seconds = 0.0
        self.latencies: list[float] = []

    def add(self, result: tuple[int, int, list[float]], seconds: float) -> None:
        self.requests += result[0]
        self.errors += result[1]
        self.latencies += result[2]
        self.seconds += seconds

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def serve(port: int, env: dict, logs: Path, name: str, workers: int, threads: int) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"), "portal.wsgi", "-b", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--timeout", "120",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    PROCESSES.append(process)
    started = time.monotonic()
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                return process
        except Exception:
            if time.monotonic() - started > 90 or process.poll() is not None:
                sys.exit(f"gunicorn did not answer /healthz; see {logs / name}.log")
            time.sleep(0.5)


def warm(port: int, urls: list[str], connections: int = 4) -> None:
    """Every URL once, so the cached phase reads stored pages (and jieba is loaded everywhere)."""

    def fetch(share: list[str]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        for url in share:
            connection.request("GET", url, headers={"Host": "127.0.0.1", "Accept-Language": "zh-hans"})
            connection.getresponse().read()
        connection.close()

    threads = [threading.Thread(target=fetch, args=(urls[n::connections],)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _forget(cache_url: str) -> None:
    """Remove this run's page-cache entries (its key prefix only)."""
    import redis

    client = redis.Redis.from_url(cache_url.replace("rediscache://", "redis://"))
    for key in client.scan_iter(match=f"{os.environ['REDIS_KEY_PREFIX']}*", count=1000):
        client.delete(key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9, help="requests per page for the in-process costs (best of)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="per page kind and server, over its rounds")
    parser.add_argument("--rounds", type=int, default=3, help="rounds the seconds are split into")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache-url", default="rediscache://127.0.0.1:6379/9")
    parser.add_argument("--costs-only", action="store_true", help="only the in-process costs")
    parser.add_argument("--yes", action="store_true", help="run even if the database name lacks 'bench'")
    args = parser.parse_args()

    run = f"{os.getpid()}-{int(time.time())}"
    work = Path(tempfile.mkdtemp(prefix="minsheng-bench-suggestions-"))
    REMOVE_AT_EXIT.append(work)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["CACHE_URL"] = args.cache_url
    os.environ["REDIS_KEY_PREFIX"] = f"bench-suggestions-{run}"
    os.environ.setdefault("MINSHENG_VAR_DIR", str(work / "var"))
    os.environ["STATIC_ROOT"] = str(work / "static")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.db import connection

    from suggestions.models import Suggestion

    name = connection.settings_dict["NAME"]
    if "bench" not in name and not args.yes:
        sys.exit(f"refusing to run against {name!r}: its name does not contain 'bench' (or pass --yes)")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=os.environ, check=True
    )
    total = Suggestion.objects.count()
    published = Suggestion.objects.published().count()
    sets = page_sets()
    print(f"database {name}: {total:,} suggestions ({published:,} published); {len(sets['list'])} list URLs")

    rows = costs(sets, args.repeat)
    ping = min(rows[0][1], rows[0][3])
    print(f"\nCost of one page, in-process, best of {args.repeat} (ratio: /ping's time over the page's)\n")
    print("| page | cache defeated | queries | vs /ping | cached | vs /ping |")
    print("|---|---:|---:|---:|---:|---:|")
    for url, uncached, queries, cached, _ in rows:
        print(
            f"| `{urllib.parse.unquote(url)}` | {uncached:.1f} ms | {queries} | {ping / uncached:.2f}× "
            f"| {cached:.2f} ms | {ping / cached:.2f}× |"
        )
    connection.close()
    if args.costs_only:
        return 0

    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    # Phases interleaved in rounds, so load from elsewhere on the machine weighs on /ping and the
    # pages alike; each server has its own /ping.
    slice_seconds = args.seconds / args.rounds
    servers = (
        ("cached", {}, ["/ping", *sets["campaign"], *sets["list"]]),
        # The same pages with nothing stored: Django's dummy cache behind the page cache.
        ("cache defeated", {"CACHE_URL": "dummycache://"}, ["/ping", *sets["campaign"]]),
    )
    tallies: dict[tuple[str, str], Tally] = {}
    for server_name, extra, warm_urls in servers:
        server = serve(args.port, env | extra, work, server_name.replace(" ", "-"), args.workers, args.threads)
        warm(args.port, warm_urls)
        for round_number in range(args.rounds):
            for label, urls in (("/ping", ["/ping"]), ("campaign pages", sets["campaign"]), ("list", sets["list"])):
                tally = tallies.setdefault((server_name, label), Tally())
                tally.add(phase(args.port, urls, args.users, slice_seconds), slice_seconds)
            print(f"  {server_name}: round {round_number + 1} of {args.rounds} done", flush=True)
        _stop(server)
    _forget(args.cache_url)

    print(
        f"\nThroughput, {args.users} anonymous visitors, {args.rounds} rounds of {slice_seconds:.0f} s a page kind, "
        f"gunicorn {args.workers} gthread workers × {args.threads} threads ({os.cpu_count()} cores)\n"
    )
    print("| page cache | pages | req/s | vs /ping | p50 | p95 | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (server_name, label), tally in tallies.items():
        ping_rate = tallies[(server_name, "/ping")].rate
        print(
            f"| {server_name} | {label} | {tally.rate:.0f} | {tally.rate / ping_rate:.2f}× | "
            f"{tally.percentile(0.5):.0f} ms | {tally.percentile(0.95):.0f} ms | {tally.errors} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
