"""Locust users for the load test: each logs in as one demo account and walks the pages its role uses.

Started by `bench/load/run.py`, which reads the accounts and their pages from the database into a plan (JSON, path
in $BERDAYA_LOAD_PLAN): for each account its username and a weighted list of pages it may open (its dashboard and a
drill-down, the map, groups, cash books, supervision, nominees, registry ...) and, for a facilitator, the groups
whose cash book it writes in. A Locust user takes the next account of the plan (the plan's order mixes the roles),
logs in through the real login form, then opens a page drawn by weight every few seconds; a facilitator also posts
a sale through the cash book's own form (its CSRF token read from the page), as on a phone.

Page names group the requests in Locust's figures ("dashboard", "map village" ...), never one name per address.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["BERDAYA_LOAD_PLAN"]).read_text(encoding="utf-8"))
ACCOUNTS = itertools.cycle(PLAN["accounts"])
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Seconds between two pages of one user: someone reading a page, not a script hammering the server.
THINK = (float(os.environ.get("BERDAYA_LOAD_THINK_MIN", 5)), float(os.environ.get("BERDAYA_LOAD_THINK_MAX", 15)))


class Staff(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.account: dict[str, Any] = next(ACCOUNTS)
        self.pages = self.account["pages"]
        self.weights = [page["weight"] for page in self.pages]
        login = self.client.get("/accounts/login/", name="login (form)")
        token = TOKEN.search(login.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.account['username']} answered {response.status_code}")

    @task
    def open_a_page(self) -> None:
        page = random.choices(self.pages, weights=self.weights)[0]
        if page["kind"] == "cash-entry":
            self.post_cash_entry(page)
            return
        if page["kind"] == "report":
            self.request_report(page)
            return
        with self.client.get(page["url"], name=page["name"], catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{page['url']} answered {response.status_code} for {self.account['username']}")

    def post_cash_entry(self, page: dict[str, Any]) -> None:
        """A sale recorded through the cash book's form: the page first (its CSRF token), then the form posted."""
        book = self.client.get(page["book"], name="cash book (before an entry)")
        token = TOKEN.search(book.text)
        price = random.randrange(5, 50) * 1_000
        quantity = random.randrange(1, 5)
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "entry_date": dt.datetime.now(ZoneInfo(PLAN["time_zone"])).date().isoformat(),  # the office's today
            "kind": "income",
            "category": "sales",
            "amount": str(price * quantity),
            "description": "Penjualan (uji beban)",
            "product": "Keripik pisang",
            "quantity": str(quantity),
            "unit_price": str(price),
            "buyer_type": "consumer",
            "channel": random.choice(["local_market", "village_shop", "online"]),
        }
        with self.client.post(
            page["url"],
            data=data,
            headers={"Referer": f"{self.host}{page['book']}"},
            name=page["name"],
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Recorded: a redirect back to the book. A 200 is the form again with an error.
            if response.status_code != 302:
                response.failure(f"cash entry answered {response.status_code}")

    def request_report(self, page: dict[str, Any]) -> None:
        """A recap of the user's region for this year as XLSX, asked through the reports page's own form."""
        form = self.client.get(page["url"], name="report request (before)")
        token = TOKEN.search(form.text)
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "kind": "recap",
            "region": page["region"],
            "span": "year",
            "year": str(dt.datetime.now(ZoneInfo(PLAN["time_zone"])).year),
            "fmt": "xlsx",
        }
        with self.client.post(
            page["url"],
            data=data,
            headers={"Referer": f"{self.host}{page['url']}"},
            name=page["name"],
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Made or queued: a redirect to the request's page. A 200 is the form again with an error.
            if response.status_code != 302:
                response.failure(f"report request answered {response.status_code}")
