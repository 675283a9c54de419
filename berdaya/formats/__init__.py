"""The office's formats for each language (settings.FORMAT_MODULE_PATH); Django's own fill in the rest.

One readable date style ("3 Des 2026"), times without seconds, and digits grouped by thousands: Indonesian
"2.000.000", English "2,000,000". Templates and messages use berdaya/lib/formats.py, never a format of their own.
"""
