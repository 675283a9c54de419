"""The monitoring pages (the root dashboard moved to berdaya/reports/views/dashboard.py)."""
