"""The load scenario: who visits Minsheng and what they do. Run by tests/perf/load.py, which
starts the servers, writes the sample data this file reads (LOAD_DATA) and picks user classes
per phase; by hand:

    LOAD_DATA=/tmp/load-data.json locust -f tests/perf/locustfile.py --host http://127.0.0.1:8100 \\
        --headless -u 20 -r 20 -t 60s AnonymousVisitor

Users:
* PingUser — the bare JsonResponse view (/ping): the ceiling of this server on this machine.
* PublicReader — not signed in, public pages only: the home page, the public column 部门回应
  (/petitions/, filters, search, pages), published tickets (/petitions/<reference>/) and /stats/.
  Which ticket is read follows LOAD_POPULARITY: "zipf" (default; the ticket of rank k is read in
  proportion to 1/k, the shape web page popularity has been measured to have, and a viral day
  is steeper still) or "uniform" (every sampled ticket alike: a crawler).
* TicketHolder — not signed in, follows their own ticket: /petitions/track/ with a reference and
  the generated query code LOADTEST, then the tracking page (per visitor, never shared).
* Citizen — signed in: submits petitions (CSRF, a unique marker in each title, checked in the
  database afterwards), their tickets, the column as a signed-in visitor (not cached), notices.
* Clerk — staff: the petitions changelist with filters and search, a ticket's change page, the
  clerks' board /dashboard/.
Every user waits `LOAD_WAIT` seconds between tasks (0 for capacity phases: a closed loop).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from pathlib import Path
from urllib.parse import quote

from locust import between, constant, events, tag, task
from locust.contrib.fasthttp import FastHttpUser

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text(encoding="utf-8")) if os.environ.get("LOAD_DATA") else {}
WAIT = float(os.environ.get("LOAD_WAIT", "0"))
RUN = os.environ.get("LOAD_RUN", "run")
MARKERS_FILE = os.environ.get("LOAD_MARKERS")  # where accepted submissions' titles are written
PASSWORD = DATA.get("password", "")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEARCH_WORDS = ("路灯", "噪音", "停车", "垃圾", "学位", "物业", "公交", "积水", "医保", "违章")
POPULARITY = os.environ.get("LOAD_POPULARITY", "zipf")
PUBLISHED = DATA.get("published", [])
# Cumulative Zipf weights (exponent 1) over the sampled published tickets, in sample order.
ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, len(PUBLISHED) + 1)))

accepted: list[str] = []  # titles of submissions answered with the redirect to the receipt
accepted_lock = threading.Lock()
_next_account = iter(range(10**9))


def pause():
    return constant(0) if WAIT == 0 else between(WAIT / 2, WAIT * 1.5)


def csrf_token(user: FastHttpUser, path: str, name: str) -> str:
    with user.client.get(path, name=name, catch_response=True) as response:
        found = TOKEN.search(response.text or "")
        if not found:
            response.failure("no CSRF token in the form")
            return ""
        response.success()
        return found.group(1)


def sign_in(user: FastHttpUser, username: str) -> None:
    token = csrf_token(user, "/accounts/login/", "/accounts/login/")
    with user.client.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        name="/accounts/login/",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code != 302:
            response.failure(f"login of {username} answered {response.status_code}")


class PingUser(FastHttpUser):
    wait_time = pause()

    @task
    def ping(self):
        self.client.get("/ping", name="/ping")


def published_ticket() -> str:
    if POPULARITY == "uniform":
        return random.choice(PUBLISHED)
    return random.choices(PUBLISHED, cum_weights=ZIPF)[0]


class PublicReader(FastHttpUser):
    wait_time = pause()

    @task(1)
    def home(self):
        self.client.get("/", name="/ (home)")

    @task(4)
    def column(self):
        page = random.choice((1, 1, 1, 2, 3, 5))
        self.client.get(f"/petitions/?page={page}", name="/petitions/ (pages 1–5)")

    @task(3)
    def column_filtered(self):
        choice = random.randrange(4)
        if choice == 0:
            query = f"department={random.choice(DATA['departments'])}"
        elif choice == 1:
            query = f"category={random.choice(DATA['categories'])}&kind={random.choice(DATA['kinds'])}"
        elif choice == 2:
            query = f"month={random.choice(DATA['months'])}"
        else:
            query = f"q={quote(random.choice(SEARCH_WORDS))}"
        self.client.get(f"/petitions/?{query}", name="/petitions/?filters and search")

    @task(4)
    def ticket(self):
        self.client.get(f"/petitions/{published_ticket()}/", name="/petitions/<reference>/")

    @task(1)
    def stats(self):
        self.client.get("/stats/", name="/stats/")


class TicketHolder(FastHttpUser):
    wait_time = pause()

    def on_start(self):
        self.track_token = csrf_token(self, "/petitions/track/", "/petitions/track/")

    @task
    def track(self):
        with self.client.post(
            "/petitions/track/",
            data={
                "csrfmiddlewaretoken": self.track_token,
                "reference": random.choice(DATA["references"]),
                "query_code": DATA["query_code"],
            },
            name="/petitions/track/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/petitions/track/WZ-" not in response.headers.get("Location", ""):
                response.failure(f"tracking answered {response.status_code}, not the ticket")
                return
            location = response.headers["Location"]
        self.client.get(location, name="/petitions/track/<reference>/")


class Citizen(FastHttpUser):
    wait_time = pause()

    def on_start(self):
        self.account = f"load_citizen_{next(_next_account) % DATA['citizens']}"
        self.sent = 0
        sign_in(self, self.account)

    @tag("submit")
    @task(2)
    def submit(self):
        token = csrf_token(self, "/petitions/new/", "/petitions/new/")
        self.sent += 1
        title = f"LOAD-{RUN}-{self.account}-{self.sent}-{random.randrange(10**6)}"
        with self.client.post(
            "/petitions/new/",
            data={
                "csrfmiddlewaretoken": token,
                "kind": random.choice(DATA["kinds"]),
                "category": random.choice(DATA["categories"]),
                "title": title,
                "content": "负载测试:小区路灯已经坏了一个多月,晚上出行很不安全,希望尽快维修。",
                "location": "和平路",
                "contact_name": "测试",
                "contact_mobile": "13800138000",
                "contact_email": "",
                "publish_consent": "on",
            },
            name="/petitions/new/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or not response.headers.get("Location", "").endswith("/petitions/receipt/"):
                response.failure(f"submission answered {response.status_code}, not the receipt")
                return
            with accepted_lock:
                accepted.append(title)
        self.client.get("/petitions/receipt/", name="/petitions/receipt/")

    @task(2)
    def mine(self):
        self.client.get("/petitions/mine/", name="/petitions/mine/ (signed in)")

    @task(2)
    def column_signed_in(self):
        self.client.get("/petitions/", name="/petitions/ (signed in, not cached)")

    @task(1)
    def notices(self):
        self.client.get("/notices/", name="/notices/ (signed in)")


class Clerk(FastHttpUser):
    wait_time = pause()

    def on_start(self):
        sign_in(self, DATA["clerk"])

    @task(3)
    def changelist(self):
        query = random.choice(
            (
                "",
                "state__exact=accepted",
                "overdue=yes",
                "due_soon=yes",
                f"lead_department={random.choice(DATA['departments'])}",
                f"month={random.choice(DATA['months'])}",
                f"q={random.choice(DATA['references'])}",
                f"q={quote(random.choice(SEARCH_WORDS))}",
            )
        )
        self.client.get(f"/admin/petitions/petition/?{query}", name="/admin/petitions/petition/?filters")

    @task(2)
    def change_page(self):
        self.client.get(f"/admin/petitions/petition/{random.choice(DATA['ids'])}/change/", name="/admin/… change page")

    @task(2)
    def board(self):
        self.client.get("/dashboard/", name="/dashboard/")


# LOAD_WEIGHTS {"Class": n}: exactly n users of that class (load.py's mixed phase).
for _name, _count in json.loads(os.environ.get("LOAD_WEIGHTS") or "{}").items():
    globals()[_name].fixed_count = int(_count)


@events.quitting.add_listener
def write_markers(environment, **kwargs):
    if MARKERS_FILE:
        Path(MARKERS_FILE).write_text(json.dumps(accepted), encoding="utf-8")
