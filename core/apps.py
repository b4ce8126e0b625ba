from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.forms import install_single_line_check
        from core.middleware import start_activity_clock

        install_single_line_check()

        user_logged_in.connect(start_activity_clock, dispatch_uid="core.start_activity_clock")
        self._load_reference_after_migrate()

    def _load_reference_after_migrate(self):
        """`migrate` (and `flush`) end with the reference data loaded (core.reference). The
        signal is sent once per app with models, in INSTALLED_APPS order: listen to the last."""
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from core.reference import load_after_migrate

        last = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(load_after_migrate, sender=last, dispatch_uid="core.reference")
