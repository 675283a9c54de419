"""Keep both translation catalogues complete.

`python -m berdaya.lib.i18n_check` fails when a catalogue has an untranslated or fuzzy entry, when a string in the
code or templates is missing from a catalogue (needs GNU xgettext, as `makemessages` does), or when a compiled .mo
file is older than its .po. `--compile` writes the .mo files with polib, so no GNU msgfmt is needed to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parent.parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ("id", "en")


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


# The values a message names: %(name)s (Python), {} (the screening engine's reason templates); a bare %s or %d too.
_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\}")


def _placeholders(text: str) -> tuple[frozenset[str], list[str]]:
    """The names a text uses (%(name)s, in any order, any number of times), and its positional ones ({}, %s) in order."""
    found = list(_PLACEHOLDER.finditer(text))
    return frozenset(m.group(1) for m in found if m.group(1)), [m.group(0) for m in found if not m.group(1)]


def problems_in(po: polib.POFile, language: str) -> list[str]:
    found = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"[{language}] fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            found.append(f"[{language}] untranslated: {entry.msgid!r}")
        else:
            found += _placeholder_problems(entry, language)
    return found


def _placeholder_problems(entry: polib.POEntry, language: str) -> list[str]:
    """A translation must name the values its message names (a wrong one fails the page that shows it)."""
    if "python-format" not in entry.flags and "python-brace-format" not in entry.flags:
        return []
    names, positional = _placeholders(entry.msgid)
    if entry.msgid_plural:  # a plural form may leave out the count (Indonesian has one form for all)
        names |= _placeholders(entry.msgid_plural)[0]
        texts = list(entry.msgstr_plural.values())
        fits = [_placeholders(text)[0] <= names and _placeholders(text)[1] in ([], positional) for text in texts]
    else:
        texts = [entry.msgstr]
        fits = [_placeholders(entry.msgstr) == (names, positional)]
    return [
        f"[{language}] the translation names other values than {entry.msgid!r}: {text!r}"
        for text, fit in zip(texts, fits, strict=True)
        if not fit
    ]


def missing_from_source() -> list[str]:
    """Run makemessages on a copy of the catalogues and report msgids the committed catalogues lack."""
    if shutil.which("xgettext") is None:
        print("i18n_check: GNU xgettext not found; skipping the check for strings missing from the catalogues.")
        return []
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        backup = Path(tmp)
        for language in LANGUAGES:
            (backup / language).mkdir()
            shutil.copy2(catalogue(language), backup / language / "django.po")
        try:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "berdaya.cli",
                    "makemessages",
                    "--no-location",
                    "--no-obsolete",
                    *[arg for language in LANGUAGES for arg in ("-l", language)],
                ],
                cwd=PACKAGE,
                check=True,
                capture_output=True,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "berdaya.settings"},
            )
            for language in LANGUAGES:
                committed = {e.msgid for e in polib.pofile(str(backup / language / "django.po")) if not e.obsolete}
                extracted = {e.msgid for e in polib.pofile(str(catalogue(language))) if not e.obsolete}
                found += [f"[{language}] missing from catalogue: {msgid!r}" for msgid in sorted(extracted - committed)]
        finally:
            for language in LANGUAGES:
                shutil.copy2(backup / language / "django.po", catalogue(language))
    return found


def compile_catalogues() -> None:
    for language in LANGUAGES:
        po = polib.pofile(str(catalogue(language)))
        po.save_as_mofile(str(catalogue(language).with_suffix(".mo")))


def check(*, extract: bool = True) -> list[str]:
    found = []
    for language in LANGUAGES:
        path = catalogue(language)
        if not path.exists():
            found.append(f"[{language}] catalogue {path} is missing")
            continue
        found += problems_in(polib.pofile(str(path)), language)
        compiled = path.with_suffix(".mo")
        # Compare contents, not modification times: a fresh clone gives every file the same time.
        # Keyed by context too: "Condition" of an aid stage and of an asset are two messages.
        wanted = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(path)) if e.translated() and not e.obsolete}
        if not compiled.exists() or {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(compiled))} != wanted:
            found.append(f"[{language}] {compiled.name} is out of date: run `make messages`")
    return found + (missing_from_source() if extract else [])


def main(argv: list[str]) -> int:
    if "--compile" in argv:
        compile_catalogues()
    found = check()
    for problem in found:
        print(problem)
    if found:
        print(f"i18n_check: {len(found)} problem(s). Translate them in berdaya/locale/*/LC_MESSAGES/django.po.")
        return 1
    print("i18n_check: both catalogues complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
