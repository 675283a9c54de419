from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    """The background task worker: `berdaya db_worker` (a loop that survives a busy database), its heartbeat, and the
    recovery of tasks a dead worker left "running". Listed before django_tasks_db so that its `db_worker` wins."""

    name = "berdaya.worker"
    label = "worker"
    verbose_name = _("Task worker")
