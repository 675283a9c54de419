"""The REST API at /api/v1/: one NinjaAPI, its two ways in, its rate limit and its one error shape (docs/api.md).

Each app contributes a router from its own `api.py`, which reads through the same selectors and `visible_to(user)`
as its pages; this module only decides who is calling. A caller is either the browser session of a signed-in user
(with CSRF on unsafe methods, as for the pages) or a personal access token (`Authorization: Bearer bdy_…`, see
accounts.AccessToken). A token acts as its owner: the same scope and permissions, and every history row written
during the call names the owner and the token ("via API token 1a2b3c4d").
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer, SessionAuth

from berdaya.accounts.models import AccessToken, User
from berdaya.accounts.services import note_token_use, token_for
from berdaya.business.api import router as business_router
from berdaya.groups.api import router as groups_router
from berdaya.lib.api import ApiError, ErrorOut
from berdaya.lib.audit import coming_through, name_way_in
from berdaya.lib.errors import DomainError
from berdaya.mentoring.api import router as mentoring_router
from berdaya.monitoring.api import router as monitoring_router
from berdaya.regions.api import router as regions_router
from berdaya.registry.api import router as registry_router
from berdaya.reports.api import router as reports_router
from berdaya.targeting.api import router as targeting_router
from berdaya.training.api import router as training_router

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def rate_limited(token: AccessToken) -> None:
    """Count a call against its token's limit for this minute; past the limit, a 429 saying when to try again."""
    now = time.time()
    minute = int(now // 60)
    # By the token's hash, not its id: an id may come again after a rolled-back transaction, a hash never.
    key = f"berdaya:api-rate:{token.key_hash[:32]}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        calls = cache.incr(key)
    except ValueError:  # the key expired between add and incr: this is the minute's first call
        cache.set(key, 1, timeout=120)
        calls = 1
    if calls > settings.BERDAYA_API_RATE_LIMIT:
        wait = max(1, int(60 - now % 60) + 1)
        raise ApiError(
            429,
            "rate_limited",
            _("Too many calls with this token: at most %(limit)d a minute. Try again in %(seconds)d seconds.")
            % {"limit": settings.BERDAYA_API_RATE_LIMIT, "seconds": wait},
            headers={"Retry-After": str(wait)},
        )


class TokenAuth(HttpBearer):
    """`Authorization: Bearer bdy_…`: a personal access token, acting as its owner."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = token_for(token)
        if found is None:
            raise ApiError(401, "token_invalid", _("This token is unknown, revoked or expired."))
        rate_limited(found)
        if found.read_only and request.method not in SAFE_METHODS:
            raise ApiError(403, "token_read_only", _("This token is read-only: it cannot change anything."))
        note_token_use(found)
        # Every use is attributable: the server's log names the token and its owner with what it asked.
        logger.info("API token %s of %s: %s %s", found.prefix, found.user.username, request.method, request.path)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        # Forgotten after the call by the wrapper around every API view (see `_api_view`).
        name_way_in(f"via API token {found.prefix}")
        return found.user


class BrowserSession(SessionAuth):
    """The signed-in browser (the app's own pages and the interactive docs); CSRF is checked on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if user.is_authenticated and user.is_active else None


api = NinjaAPI(
    title="Berdaya API",
    version="1",
    description="Scoped read access to the KUBE programme's records. Authentication, errors and paging: docs/api.md.",
    urls_namespace="api",
    auth=[TokenAuth(), BrowserSession()],
    # The interactive docs and the schema behind a login, with Swagger UI from ninja's own static files (no CDN).
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=lambda view: _signed_in(view),
)


def _signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs for a signed-in browser (else the login page) and the schema for it or a token (else a 401)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
            found = token_for(secret.strip()) if scheme.lower() == "bearer" else None
            if found is None:
                if request.path.endswith(".json"):
                    return _unauthenticated(request, AuthenticationError())
                return redirect_to_login(request.get_full_path())
            request.user = found.user
        return view(request, *args, **kwargs)

    return guarded


def _error(request: HttpRequest, error: ApiError) -> HttpResponse:
    body = {"code": error.code, "message": str(error.message), "fields": error.fields}
    response = api.create_response(request, body, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return _error(request, error)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for problem in error.errors:
        location = [str(part) for part in problem.get("loc", ()) if part not in ("query", "path", "body", "header")]
        fields.setdefault(".".join(location) or "__all__", []).append(str(problem.get("msg", "")))
    return _error(request, ApiError(422, "invalid", _("Some values are not valid: see the fields."), fields=fields))


@api.exception_handler(DomainError)
def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return _error(request, ApiError(400, "refused", error.message))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    message = _("Sign in, or send a personal access token: Authorization: Bearer <token>.")
    return _error(request, ApiError(401, "unauthenticated", message))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 403:
        return _error(request, ApiError(403, "forbidden", _("The CSRF check failed: reload the page and try again.")))
    return _error(request, ApiError(error.status_code, "error", str(error)))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _error(request, ApiError(403, "forbidden", _("Your role may not do this.")))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, ApiError(404, "not_found", _("No such record, or it is outside your scope.")))


@api.exception_handler(Exception)
def _crashed(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, ApiError(500, "server_error", _("Something went wrong on the server; it was logged.")))


api.add_router("/regions/", regions_router)
api.add_router("/registry/", registry_router)
api.add_router("/targeting/", targeting_router)
api.add_router("/groups/", groups_router)
api.add_router("/mentoring/", mentoring_router)
api.add_router("/training/", training_router)
api.add_router("/business/", business_router)
api.add_router("/monitoring/", monitoring_router)
api.add_router("/reports/", reports_router)

ERROR_RESPONSES: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def _caller_language(request: HttpRequest) -> str:
    """The Accept-Language a program sends, else the language the pages use for this browser (its cookie)."""
    available = {code for code, _ in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = code.split("-")[0].lower()
        if base in available:
            return base
    return str(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE))


def _api_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """An API view: open to the LoginRequiredMiddleware (the API answers 401 itself), in the caller's language, with
    the way in (a token) named on the history rows written during the call and forgotten after it."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = _caller_language(request)
        with translation.override(language), coming_through(""):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        return response

    wrapped.login_required = False  # type: ignore[attr-defined]
    return wrapped


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URL patterns for `include()`, each view wrapped by `_api_view`."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _api_view(pattern.callback)
    return patterns, app_name, namespace
