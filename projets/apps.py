from django.apps import AppConfig


class ProjetsConfig(AppConfig):
    name = "projets"
    verbose_name = "Plan projet"

    def ready(self):
        # Connect the signal receivers, and register the Celery tasks in the web process too:
        # projets.comptes_rendus queues the diffusion by the task's name (it cannot import
        # projets.tasks, which imports it).
        from grappe.extensions import register_nav_counter
        from projets import signals, tasks  # noqa: F401
        from projets.validation import awaiting_count

        # The header counts the documents awaiting a COPIL voter's avis beside « À valider »;
        # grappe calls it without importing projets.
        register_nav_counter(
            "projets:inbox",
            awaiting_count,
            "document en attente de votre avis",
            "documents en attente de votre avis",
        )
