#!/usr/bin/env python
"""Django's manage.py, for those who expect it; `berdaya` is the same thing."""

from berdaya.cli import main

if __name__ == "__main__":
    main()
