"""After an action that told people, say whom, and where to pass the message on by WhatsApp."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import Notification
from .services import collect_told


class ToldMiddleware:
    """Collects the notifications a POST's action made and kept, and adds one message naming their recipients.

    It sits after MessageMiddleware (inside it), so that a message added here reaches the page the action
    redirects to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A program (and a phone's outbox) calling the API reads no messages.
        if request.method != "POST" or request.path_info.startswith("/api/"):
            return self.get_response(request)
        with collect_told() as made:
            response = self.get_response(request)
        # What was rolled back (a refused action, a savepoint) is no longer there: it told no one.
        told = (
            list(
                Notification.objects.filter(pk__in=[n.pk for n in made]).select_related(
                    "recipient_user", "recipient_region"
                )
            )
            if made
            else []
        )
        if told:
            names = ", ".join(dict.fromkeys(note.recipient_label for note in told))
            messages.info(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Told: %(names)s.") % {"names": names},
                    reverse("inbox:sent"),
                    _("Send by WhatsApp from Sent messages"),
                ),
            )
        return response
