from django.apps import AppConfig


class ProjetsConfig(AppConfig):
    name = "projets"
    verbose_name = "Plan projet"

    def ready(self):
        # Connect the signal receivers, and register the Celery tasks in the web process too:
        # projets.comptes_rendus queues the diffusion by the task's name (it cannot import
        # projets.tasks, which imports it).
        from approbations import inbox
        from grappe.extensions import register_nav_counter
        from projets import signals, tasks  # noqa: F401
        from projets.comptes_rendus import awaiting_rows
        from projets.models import CompteRendu, LivrableVersion
        from projets.views.livrables import inbox_rows

        # Deliverables and minutes wait for the COPIL voters' answers in the "À valider" inbox
        # (approbations.inbox); the reminders read the same `awaiting` querysets.
        inbox.register(inbox.Kind("livrable", LivrableVersion.objects.awaiting, inbox_rows))
        inbox.register(inbox.Kind("compte_rendu", CompteRendu.objects.awaiting, awaiting_rows))
        # The header counts them beside « À valider »; grappe calls it without importing projets.
        register_nav_counter(
            "projets:inbox",
            inbox.awaiting_count,
            "document en attente de votre avis",
            "documents en attente de votre avis",
        )
