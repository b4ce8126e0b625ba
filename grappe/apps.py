from django.apps import AppConfig


class GrappeConfig(AppConfig):
    name = "grappe"
    verbose_name = "Registre des grappes"

    def ready(self):
        # The account pages (users, below grappe) signal an API token's life; it goes to the
        # audit trail, kept here.
        from grappe.models import HistoryEntry
        from users.signals import api_token_changed

        def record_token_change(sender, user, action, **kwargs):
            HistoryEntry.record(None, user, action, user)

        api_token_changed.connect(record_token_change, dispatch_uid="grappe.api_token_history")
