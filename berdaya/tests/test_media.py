"""Uploaded files are never public URLs: no template links one by its storage URL and nothing serves MEDIA_URL."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import FileField
from django.urls import Resolver404, resolve

PACKAGE = Path(__file__).resolve().parent.parent


def _file_fields() -> set[str]:
    return {
        model_field.name
        for model in apps.get_models()
        for model_field in model._meta.get_fields()
        if isinstance(model_field, FileField)
    }


def test_no_template_links_an_uploaded_file_by_its_storage_url():
    names = "|".join(sorted(_file_fields()))
    storage_url = re.compile(rf"\.({names})\.url\b")
    templates = [path for path in PACKAGE.rglob("*.html") if "templates" in path.parts]

    offenders = [str(path.relative_to(PACKAGE)) for path in templates if storage_url.search(path.read_text())]

    assert templates
    assert offenders == []


def test_nothing_answers_at_the_media_url():
    try:
        match = resolve(f"/{settings.MEDIA_URL}targeting/verval/1/rumah.jpg")
    except Resolver404:
        match = None

    assert match is None
