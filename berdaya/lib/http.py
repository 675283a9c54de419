"""Typed request for views: LoginRequiredMiddleware guarantees a user, django-htmx the htmx details."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from berdaya.accounts.models import User


class AuthedRequest(HttpRequest):
    user: "User"
    htmx: HtmxDetails
