from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from berdaya.lib.actions import perform
from berdaya.lib.http import AuthedRequest

from . import selectors, services
from .models import Notification


def inbox(request: AuthedRequest) -> HttpResponse:
    return render(request, "inbox/inbox.html", {"notifications": selectors.inbox(user=request.user)[:100]})


@require_POST
def read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    perform(request, services.mark_read, notification=notification)
    return redirect(notification.url or "inbox:inbox")


def sent(request: AuthedRequest) -> HttpResponse:
    """What my actions told others, newest first, each with a link to pass it on by WhatsApp."""
    return render(request, "inbox/sent.html", {"notifications": selectors.sent(user=request.user)[:200]})
