"""Pages of monitoring and evaluation (see urls.py)."""
