from django.http import HttpResponse
from django.shortcuts import render

from berdaya.lib.http import AuthedRequest
from berdaya.monitoring.selectors import dashboard_for


def dashboard(request: AuthedRequest) -> HttpResponse:
    return render(request, "monitoring/dashboard.html", {"dashboard": dashboard_for(user=request.user)})
