"""Uploaded files leave the server only through a view that has already checked the user's scope; this is its answer.

Photos of poor households' homes, village meeting minutes and receipts are never public URLs: nothing serves
MEDIA_URL. A view fetches the record with `visible_to(request.user)` (a 404 outside the scope) and answers with
`protected_file_response`. Django streams the file itself, or, when BERDAYA_MEDIA_ACCEL_PREFIX names an nginx
`internal` location over MEDIA_ROOT (docs/deployment.md), hands the sending to nginx with X-Accel-Redirect so that a
gunicorn worker is not held for the length of a slow download.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header


def protected_file_response(
    fieldfile: FieldFile, *, filename: str | None = None, as_attachment: bool = False
) -> HttpResponseBase:
    """The stored file of a record the caller has scoped: shown in the browser, or downloaded with `as_attachment`."""
    if not fieldfile:
        raise Http404
    name = filename or PurePosixPath(fieldfile.name or "").name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = settings.BERDAYA_MEDIA_ACCEL_PREFIX
    if prefix:
        # nginx sends the file from its internal location; the body stays empty and the headers say what it is.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(fieldfile.name or '')}"
        if disposition := content_disposition_header(as_attachment, name):
            response["Content-Disposition"] = disposition
        return response
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError as error:  # the record names a file the disk no longer holds: not found, not a 500
        raise Http404 from error
    return FileResponse(handle, as_attachment=as_attachment, filename=name, content_type=content_type)
