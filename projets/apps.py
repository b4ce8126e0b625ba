from django.apps import AppConfig


class ProjetsConfig(AppConfig):
    name = "projets"
    verbose_name = "Plan projet"

    def ready(self):
        # Connect the signal receivers, and register the Celery tasks in the web process too:
        # projets.comptes_rendus queues the diffusion by the task's name (it cannot import
        # projets.tasks, which imports it).
        from approbations import inbox
        from grappe.extensions import NavEntry, register_nav_counter, register_nav_entry
        from projets import perms, signals, tasks  # noqa: F401
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
        # The header's entries (grappe.navigation): the plan, active on every project page of
        # the grappe (plan, livrables, planning, risques…), the user's actions, the inbox.
        register_nav_entry(
            NavEntry(
                10,
                "Projet",
                "projets:plan",
                perms.shows_plan_in_header,
                for_grappe=True,
                section=True,
            )
        )
        register_nav_entry(
            NavEntry(50, "Mes actions", "projets:my_actions", perms.shows_actions_in_header)
        )
        register_nav_entry(NavEntry(60, "À valider", "projets:inbox", perms.shows_inbox_in_header))
