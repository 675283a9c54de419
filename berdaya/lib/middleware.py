"""Indonesian unless the user chose otherwise; the security headers of every response."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.cache import add_never_cache_headers

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


class LanguageMiddleware:
    """Activate the language the user picked with the switch (a cookie), else Indonesian.

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: office computers often run an
    English Windows, and the programme's working language is Indonesian.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override, not activate: the thread goes back to its language afterwards, so nothing leaks to the next
        # request (or test) served by the same thread.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Everything the pages need comes from the site itself: scripts and styles as static files (no inline <script>, no
# style="" attribute, no on*= handler), images also as data: and blob: URLs (a photo previewed before it is sent,
# the map's SVG). No page may be framed, post a form elsewhere, change its base URL or load a plugin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Browser features a page may use: none, unless its view says otherwise with `allows_devices`.
DEVICES = ("camera", "geolocation", "microphone", "payment", "usb", "serial", "bluetooth", "display-capture")


def permissions_policy(allowed: Iterable[str] = ()) -> str:
    """The Permissions-Policy header: `allowed` features for this site alone, every other one of DEVICES denied."""
    allowed = set(allowed)
    return ", ".join(f"{device}=(self)" if device in allowed else f"{device}=()" for device in DEVICES)


DENY_DEVICES = permissions_policy()


def allows_devices(*devices: str) -> Callable[[_View], _View]:
    """Let a view's page use the phone's camera or position (the facilitator's visit form, the monev form)."""
    unknown = set(devices).difference(DEVICES)
    if unknown:
        raise ValueError(f"unknown devices: {sorted(unknown)}")
    policy = permissions_policy(devices)

    def decorate(view: _View) -> _View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            response.headers["Permissions-Policy"] = policy
            return response

        return cast(_View, wrapped)

    return decorate


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy and, for a signed-in user, Cache-Control: no-store.

    Offices share computers: a page or file with a family's NIK, address or photo must not stay in the browser's
    cache for the next person (nor in a proxy's). What a signed-in user is sent is personal to them, so all of it is
    no-store; static files never reach here (WhiteNoise answers them first). Django 5.2 has no CSP of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", DENY_DEVICES)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RefuseNulBytesMiddleware:
    """A query string with a NUL character is a 400, not a 500.

    PostgreSQL refuses NUL in text (psycopg raises DataError), so a search or filter that passed one to the
    database would fail; no person types one. Forms already refuse it field by field (Django's CharField), so only
    the query string is checked here: once, before any view reads it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            raise BadRequest("NUL character in the query string")
        return self.get_response(request)
