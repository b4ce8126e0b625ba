from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.middleware import start_activity_clock

        user_logged_in.connect(start_activity_clock, dispatch_uid="core.start_activity_clock")
