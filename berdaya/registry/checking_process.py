"""The child process that reads and checks a large import file while its parent stores the rows (see importing).

Kept apart from the importing package, which imports models: a spawned interpreter loads this module before Django is set up.
"""

from __future__ import annotations

import contextlib
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any


def check_file(path: str, settings: dict[str, Any], sender: Connection, language: str) -> None:
    """Send each checked batch of the file through `sender`, then None; or the exception that stopped it.

    `settings` are the keyword arguments of the parent's checker (`importing.Checker.settings`).
    """
    import django

    django.setup()
    from django.utils import translation

    from berdaya.lib.uploads import FileRefused

    from .importing import Checker, ImportFileError, checked_here, open_rows

    checker = Checker(**settings)

    try:
        with translation.override(language):
            _header, rows, handle = open_rows(Path(path))
            try:
                for batch in checked_here(rows, checker):
                    sender.send(batch)
            finally:
                handle.close()
        sender.send(None)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent stopped listening (its import failed): nothing to tell
    except (ImportFileError, FileRefused) as error:
        with contextlib.suppress(OSError):
            sender.send(error)
    except BaseException:
        with contextlib.suppress(OSError):
            sender.send(RuntimeError(f"The import's checking process failed:\n{traceback.format_exc()}"))
    finally:
        sender.close()
