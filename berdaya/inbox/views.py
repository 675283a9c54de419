from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from berdaya.lib.actions import perform
from berdaya.lib.http import AuthedRequest

from . import selectors, services
from .models import Notification

PER_PAGE = 50


def inbox(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inbox/inbox.html", {"notifications": page, "page": page})


@require_POST
def read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    perform(request, services.mark_read, notification=notification)
    return redirect(notification.url or "inbox:inbox")


def sent(request: AuthedRequest) -> HttpResponse:
    """What my actions told others, newest first, each with a link to pass it on by WhatsApp."""
    page = Paginator(selectors.sent(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inbox/sent.html", {"notifications": page, "page": page})
