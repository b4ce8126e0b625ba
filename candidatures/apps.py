from django.apps import AppConfig


class CandidaturesConfig(AppConfig):
    name = "candidatures"
    verbose_name = "Appels à projets et candidatures"

    def ready(self):
        # The OG directions' engagements wait in the "À valider" inbox beside the COPIL's
        # deliverables and minutes (approbations.inbox).
        from approbations import inbox
        from candidatures import engagements
        from candidatures.perms import shows_campagnes_in_header
        from grappe.extensions import NavEntry, register_call_lock, register_nav_entry
        from projets.extensions import register_daily_reminder

        inbox.register(inbox.Kind("candidature", engagements.awaiting, engagements.rows))
        register_daily_reminder(
            engagements.send_reminders,
            {engagements.RAPPEL: "Candidatures en attente de l'engagement des OG"},
        )
        # A grappe whose dossier is filed keeps the call it answered.
        register_call_lock(call_lock)
        register_nav_entry(
            NavEntry(40, "Appels à projets", "candidatures:campagnes", shows_campagnes_in_header)
        )


def call_lock(grappe):
    from candidatures.models import Candidature

    if Candidature.objects.filter(grappe=grappe).exclude(statut="brouillon").exists():
        return (
            "La grappe a déposé son dossier de candidature sur cet appel : l'appel et la région "
            "ne changent plus."
        )
    return ""
