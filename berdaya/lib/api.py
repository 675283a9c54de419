"""The pieces every app's `api.py` shares: one error shape, one keyset pagination, one scoped lookup.

The API itself (berdaya/api.py) sits above the apps; an app's router only needs these, so that a list, a 404 and a
refusal look the same in every app. See docs/api.md.
"""

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from ninja import Field, Query, Router, Schema
from ninja.pagination import PaginationBase, paginate

from .http import AuthedRequest
from .scoping import region_q

_M = TypeVar("_M", bound=models.Model)
_R = TypeVar("_R")

MAX_PAGE = 1000
DEFAULT_PAGE = 100


class ApiError(Exception):
    """A refusal the API answers in its one JSON shape: an HTTP status, a machine code and a sentence."""

    def __init__(
        self,
        status: int,
        code: str,
        message: StrOrPromise,
        *,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


class ErrorOut(Schema):
    """Every error the API answers: `code` for programs, `message` for people (in the caller's language), and the
    messages of each refused field."""

    code: str
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("No such record, or it is outside your scope."))


def get_visible(queryset: models.QuerySet[_M], pk: int | str) -> _M:
    """The record `pk` of a queryset that already starts from `visible_to(user)`; outside it (or none) is a 404."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found


def require(request: HttpRequest, permission: str) -> None:
    """The caller's role has `permission` (the one the page's view asks), else a 403."""
    if not request.user.has_perm(permission):
        raise ApiError(403, "forbidden", _("Your role may not do this."))


_BAD_CURSOR = _("This cursor is not one the API gave: start again without `after`.")


def _encode(last: int | str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"id": last}).encode()).decode().rstrip("=")


def _decode(cursor: str, pk: models.Field[Any, Any]) -> Any:
    """The last key of the page before, checked against the list's key field (a forged cursor is a 400, never a 500)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)["id"]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(value)
        return pk.to_python(value)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError, ValidationError) as error:
        raise ApiError(400, "bad_cursor", _BAD_CURSOR) from error


class KeysetPagination(PaginationBase):
    """Pages of a list in the order of its records' ids, each page picking up after the last id of the one before.

    Unlike OFFSET, the database goes straight to the next row through the primary key's index, so the last page of a
    million rows costs what the first does; no page counts the whole list. `next` is an opaque cursor, null at the end.
    """

    class Input(Schema):
        after: str | None = Field(None, description="The `next` cursor of the page before; none for the first page.")
        limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="Records per page (at most 1000).")

    class Output(Schema):
        items: list[Any]
        next: str | None

    def paginate_queryset(
        self, queryset: models.QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        if pagination.after:
            queryset = queryset.filter(pk__gt=_decode(pagination.after, queryset.model._meta.pk))
        rows = list(queryset.order_by("pk")[: pagination.limit + 1])
        more = len(rows) > pagination.limit
        rows = rows[: pagination.limit]
        return {"items": rows, "next": _encode(rows[-1].pk) if more else None}


def kube_records(
    router: Router,
    *,
    path: str,
    name: str,
    model: type[models.Model],
    schema: type[Schema],
    permission: str,
    dated: str,
    kube_path: str = "kube_id",
    related: tuple[str, ...] = (),
    label: str = "",
) -> None:
    """A list and a detail endpoint for one kind of a group's records (visits, cash entries, warnings ...).

    Both start from the model's `visible_to(user)` (a facilitator: its own groups' records) and ask the permission
    the pages ask. The list filters by `kube`, by `region` (the group's village or kecamatan) and by `since`, a day
    compared with the record's own date (`dated`: a visit's day, a cash entry's day).
    """
    region_path = model._default_manager.none().region_path  # type: ignore[attr-defined]
    # A day against a moment (a plan's approval) compares the moment's day in the site's zone, not a naive midnight.
    since_lookup = (
        f"{dated}__date__gte" if isinstance(model._meta.get_field(dated), models.DateTimeField) else f"{dated}__gte"
    )
    what = label or str(model._meta.verbose_name_plural)

    def visible(request: AuthedRequest) -> models.QuerySet[Any]:
        require(request, permission)
        return model._default_manager.visible_to(request.user).select_related(*related)  # type: ignore[attr-defined,no-any-return]

    @router.get(
        f"/{path}",
        response=list[schema],  # type: ignore[valid-type]
        operation_id=f"{name}_list",
        url_name=f"{name}_list",
        summary=f"List {what}",
        description=f"The {what} of the groups of your scope: of one `kube`, in a `region`, dated `since` a day on.",
    )
    @paginate(KeysetPagination)
    def listing(
        request: AuthedRequest, kube: int | None = None, region: str = "", since: dt.date | None = None
    ) -> models.QuerySet[Any]:
        rows = visible(request)
        if kube is not None:
            rows = rows.filter(**{kube_path: kube})
        if region:
            rows = rows.filter(region_q(region_path, region))
        if since is not None:
            rows = rows.filter(**{since_lookup: since})
        return rows

    @router.get(
        f"/{path}/{{pk}}",
        response={200: schema, 403: ErrorOut, 404: ErrorOut},
        operation_id=f"{name}_detail",
        url_name=f"{name}_detail",
        summary=f"One of the {what}",
    )
    def detail(request: AuthedRequest, pk: int) -> models.Model:
        found: models.Model = get_visible(visible(request), pk)
        return found


# --- Bulk exchange: a document's rows as JSON (the default) or CSV (docs/api.md "Bulk exchange") -----------------

Format = Literal["json", "csv"]
FormatParam = Annotated[
    Format | None,
    Query(None, alias="format", description="`csv` for a CSV file (or send `Accept: text/csv`); JSON by default."),
]


def wants_csv(request: HttpRequest, fmt: str | None) -> bool:
    """`?format=csv`, or no `format` and an Accept header asking for CSV."""
    if fmt:
        return fmt == "csv"
    return "text/csv" in request.headers.get("Accept", "")


# The schema of an operation that also answers CSV: its 200 has a text/csv body besides the JSON one.
CSV_ALSO: dict[str, Any] = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


# --- Writes: a record posted as the page's form, checked by the page's form, stored by the page's service ----------

INVALID = _("Some values are not valid: see the fields.")


def form_refusal(*forms_: forms.BaseForm) -> ApiError:
    """A 422 naming each refused field (as posted, with its prefix) with the form's own messages; `__all__` for the
    form's errors as a whole."""
    fields: dict[str, list[str]] = {}
    for form in forms_:
        for name, said in form.errors.items():
            key = "__all__" if name == NON_FIELD_ERRORS else form.add_prefix(name)
            fields.setdefault(key, []).extend(str(message) for message in said)
    return ApiError(422, "invalid", INVALID, fields=fields)


def submit(
    request: AuthedRequest,
    service: Callable[..., _R],
    /,
    *,
    form: forms.BaseForm,
    sections: tuple[forms.BaseForm, ...] = (),
    data: Mapping[str, Any] | None = None,
    success: StrOrPromise | None = None,
    **kwargs: Any,
) -> _R:
    """Run the page's `service` as the caller with `form`'s cleaned data (or `data`), as `lib.actions.perform` does
    for the page. An invalid form (or a bound section of it) is a 422 with the fields' messages; a refusal of the
    service (a DomainError) is the API's 400 with the message the page shows.

    `success` is the page's "recorded" message, kept for the page a signed-in browser goes to next when its form was
    sent at once through the API (the outbox's `X-Berdaya-Direct`); a program reads no messages.
    """
    if not form.is_valid() or not all(section.is_valid() for section in sections):
        raise form_refusal(form, *sections)
    stored = service(by=request.user, **(form.cleaned_data if data is None else data), **kwargs)
    if success and request.headers.get("X-Berdaya-Direct") and getattr(request, "api_token", None) is None:
        messages.success(request, success)
    return stored


def _field_schema(field: forms.Field) -> dict[str, Any]:
    if isinstance(field, forms.FileField):
        return {"type": "array", "items": {"type": "string", "format": "binary"}}
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return {"type": "array", "items": {"type": "string"}}
    return {"type": "string"}


def form_body(
    *forms_: tuple[type[forms.BaseForm], str], extra: Mapping[str, forms.Field] | None = None
) -> dict[str, Any]:
    """The OpenAPI request body of a form post: the fields of each (form class, prefix), as the page posts them
    (multipart, so that photos and receipts may go with it). Their values are checked by the form, not by the API."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for form_class, prefix in forms_:
        fields = {**form_class.base_fields, **(extra or {})}  # type: ignore[attr-defined]
        for name, field in fields.items():
            posted = f"{prefix}-{name}" if prefix else name
            properties[posted] = {**_field_schema(field), "description": str(field.label or name)}
            if field.required and not prefix:
                required.append(posted)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


class Created(Schema):
    """Added to a record's schema in a write's answer: where the record's page is (a phone's outbox goes there)."""

    url: str = Field(description="The record's page.")

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.get_absolute_url())


WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


NOT_NOW = _("You may not do this to this record, or not in the state it is in.")


def posted(request: HttpRequest) -> Mapping[str, Any]:
    """The fields of a post: a JSON object (an action's body), else the form fields (multipart or urlencoded)."""
    if request.content_type != "application/json":
        return request.POST
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", INVALID, fields={"__all__": [str(_("Send the fields as a JSON object."))]})
    # A form reads text: a nested value is refused by the field it is given to, never a 500.
    return {
        name: value if isinstance(value, str | int | float | bool) or value is None else json.dumps(value)
        for name, value in data.items()
    }


def state_action(
    request: AuthedRequest,
    action: str,
    allowed: frozenset[str],
    service: Callable[..., _R],
    /,
    *,
    form: forms.BaseForm | None = None,
    confirm: bool = False,
    **kwargs: Any,
) -> _R:
    """A state action the record's page offers (`allowed`: the app's `actions_for(user, record)`): not offered is a
    403; then the page's form and service, as `submit`.

    `confirm`: the page asks a confirmation before this step (it cannot be undone), so the call must say
    `"confirm": true` (a 400 `confirm_required` otherwise, after the form's own checks)."""
    if action not in allowed:
        raise ApiError(403, "not_allowed", NOT_NOW)
    form = form or forms.Form({})
    if confirm and form.is_valid() and not confirmed(request):
        raise ApiError(400, "confirm_required", CONFIRM_FIRST)
    return submit(request, service, form=form, **kwargs)


CONFIRM_FIRST = _('This step cannot be undone: send "confirm": true to take it.')


def confirmed(request: HttpRequest) -> bool:
    """The post says `"confirm": true` (a JSON true, or `true`/`1`/`on` as a form field)."""
    value = posted(request).get("confirm")
    return value is True or str(value).strip().lower() in {"true", "1", "on"}


def action_body(
    *form_classes: type[forms.BaseForm], confirm: bool = False, fields: Mapping[str, forms.Field] | None = None
) -> dict[str, Any]:
    """The OpenAPI request body of an action: its form's fields (and `fields`, those a form adds as it is made) as a
    JSON object (form fields are taken too); with `confirm`, the `confirm` flag the step requires."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    declared = [(name, field) for form_class in form_classes for name, field in form_class.base_fields.items()]  # type: ignore[attr-defined]
    for name, field in [*declared, *(fields or {}).items()]:
        kind = "boolean" if isinstance(field, forms.BooleanField) else "string"
        properties[name] = {"type": kind, "description": str(field.label or name)}
        if field.required:
            required.append(name)
    if confirm:
        properties["confirm"] = {"type": "boolean", "description": "Must be true: the step cannot be undone."}
        required.append("confirm")
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"requestBody": {"required": bool(required), "content": {"application/json": {"schema": schema}}}}
