from django.apps import AppConfig


class ProjetsConfig(AppConfig):
    name = "projets"
    verbose_name = "Plan projet"

    def ready(self):
        # Connect the signal receivers, and register the Celery tasks in the web process too:
        # projets.comptes_rendus queues the diffusion by the task's name (it cannot import
        # projets.tasks, which imports it).
        from projets import signals, tasks  # noqa: F401
