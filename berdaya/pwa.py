"""Berdaya on a phone without signal: the site-wide service worker and the page it shows when a page is not kept.

The worker is served from the root (`/sw.js`) so that its scope is the whole site; the web app manifest, its icons
and the outbox (static/berdaya/) are the site's too. Which pages a phone keeps is listed here, in one place: the
facilitator's groups and the forms of the field records (visits, meetings, problems, bina lingkungan), the Dinas's
monev list and form, never a registry page.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse

# Raise when sw.js changes in a way its static files do not show: browsers install a service worker again only when
# its script changes, and the version names the cache of the files below.
_SERVICE_WORKER_REVISION = "2"

# Static files every kept page needs, cached when the worker installs.
SHELL_STATIC = (
    "berdaya/berdaya.css",
    "vendor/htmx-2.0.11/htmx.min.js",
    "berdaya/outbox.js",
    "berdaya/tables.js",
    "berdaya/menu.js",
    "mentoring/position.js",
    "berdaya/manifest.webmanifest",
    "berdaya/icon-192.png",
)
# Pages kept on the phone once opened with signal: URL names, and how many numbers each URL takes.
KEPT_PAGES = (
    ("mentoring:caseload", 0),
    ("mentoring:visit-create", 1),
    ("mentoring:meeting-create", 1),
    ("mentoring:problem-create", 1),
    ("mentoring:environment-create", 1),
    ("monitoring:monev-due", 0),
    ("monitoring:monev-create", 1),
)


def _page_pattern(name: str, arguments: int) -> str:
    """A URL pattern as a JavaScript regular expression, any number standing for each argument."""
    path = re.escape(reverse(name, args=[987654321] * arguments))
    return "^" + path.replace("987654321", r"\d+") + "$"


@login_not_required  # a script with no data in it; browsers fetch it again to look for updates
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps a facilitator's pages usable without signal (see templates/pwa/sw.js)."""
    shell = [static(path) for path in SHELL_STATIC]
    version = hashlib.sha256("\n".join([_SERVICE_WORKER_REVISION, *shell]).encode()).hexdigest()[:12]
    context = {
        "version": version,
        "shell_urls": json.dumps(shell),
        "offline_url": reverse("offline"),
        "static_prefix": settings.STATIC_URL,  # with the script prefix; static("") would look "" up in the manifest
        "login_url": reverse("login"),
        "logout_url": reverse("logout"),
        "kept": [_page_pattern(name, arguments) for name, arguments in KEPT_PAGES],
    }
    response = render(request, "pwa/sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it does not keep, when there is no signal."""
    return render(request, "pwa/offline.html", {"caseload_url": reverse("mentoring:caseload")})
