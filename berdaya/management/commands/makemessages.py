"""Django's makemessages, also extracting the messages of the pure-Python NIK module."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # berdaya/lib/nik.py may not import Django, so its messages are plain strings: the second argument of Problem().
    # N_ is gettext_noop under its short name: messages kept untranslated and translated when shown (import reports,
    # stored texts). _t marks the phrases of the screening engine's reasons (berdaya/screening/reasons.py).
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=Problem:2", "--keyword=N_", "--keyword=_t"]
