from django.apps import AppConfig


class AmoaConfig(AppConfig):
    name = "amoa"
    verbose_name = "Consultation AMOA"

    def ready(self):
        from amoa.perms import history_filter
        from grappe.extensions import register_history_filter

        # A blind evaluator must not read the scores in the grappe's history either.
        register_history_filter(history_filter)
