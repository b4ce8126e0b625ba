from django.apps import AppConfig


class AmoaConfig(AppConfig):
    name = "amoa"
    verbose_name = "Consultation AMOA"

    def ready(self):
        from amoa.jalons import ETAPE_CHOIX_SOLUTION, choix_editeur
        from amoa.perms import history_filter, shows_consultation_in_header
        from grappe.extensions import NavEntry, register_history_filter, register_nav_entry
        from projets.extensions import register_milestone_extra

        # A blind evaluator must not read the scores in the grappe's history either.
        register_history_filter(history_filter)
        # The COPIL records its go / no go on the éditeur chosen here, on the plan's step 11.
        register_milestone_extra(ETAPE_CHOIX_SOLUTION, choix_editeur)
        # The header's entry, active on every page of the grappe's consultations.
        register_nav_entry(
            NavEntry(
                20,
                "Consultation AMOA",
                "amoa:consultations",
                shows_consultation_in_header,
                for_grappe=True,
                section=True,
            )
        )
