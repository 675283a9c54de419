"""Production settings (DEBUG off) for the load test, served over plain HTTP on 127.0.0.1.

In production nginx terminates TLS in front of gunicorn (docs/deployment.md); here Locust talks to gunicorn
directly, so the only change is that cookies may travel without TLS (a Secure cookie is never sent to http://).
Everything else, including the CSRF check and the compressed manifest of static files, is production's."""

from berdaya.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
