"""Sessions that are not rewritten on every request.

With SESSION_SAVE_EVERY_REQUEST every page wrote its session row: on SQLite, while an import held the write lock
for half a minute, a plain page waited for it and then answered 400 (Django's "session interrupted"). Here a session
is saved only when something in it changed, or, so that the idle timeout (SESSION_COOKIE_AGE) still counts from the
last request, when its last save is older than SESSION_TOUCH_SECONDS. That touch never makes a page wait: on a busy
database it is skipped (the session stays valid; the next page touches it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from .db import impatient

logger = logging.getLogger(__name__)

TOUCHED = "berdaya_touched"


class TouchSession:
    """Re-save a signed-in session at most once a SESSION_TOUCH_SECONDS; placed just inside SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or response.status_code == 500:
            return response
        now = time.time()
        touched = session.get(TOUCHED, 0)
        if 0 <= now - touched < settings.SESSION_TOUCH_SECONDS:
            return response
        changed = session.modified
        session[TOUCHED] = now
        if changed:
            return response  # SessionMiddleware saves it anyway, the touch with it
        try:
            with impatient():
                session.save()
        except (UpdateError, DatabaseError) as error:
            logger.info("Session touch skipped (the database is busy): %s", error)
        session.modified = False  # saved, or left for the next page: SessionMiddleware must not wait for it
        return response
