"""When the COPIL changes (a seat added or removed, a member turned guest, the rule or quorum
edited), documents waiting for its answers are weighed again: otherwise a version whose missing
voter has left would wait forever. Connected in ProjetsConfig.ready()."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from grappe.enums import TypeComite
from grappe.models import Comite, ComiteMember, Grappe
from projets import comptes_rendus, validation


def _reevaluate_later(grappe_id):
    def run():
        grappe = Grappe.objects.filter(pk=grappe_id).first()
        if grappe is not None:
            validation.reevaluate(grappe)
            comptes_rendus.reevaluate(grappe)

    transaction.on_commit(run)


@receiver([post_save, post_delete], sender=ComiteMember)
def copil_seat_changed(sender, instance, **kwargs):
    comite = Comite.objects.filter(pk=instance.comite_id).only("kind", "grappe_id").first()
    if comite is not None and comite.kind == TypeComite.COPIL:
        _reevaluate_later(comite.grappe_id)


@receiver(post_save, sender=Comite)
def copil_rule_changed(sender, instance, created, **kwargs):
    if instance.kind == TypeComite.COPIL and not created:
        _reevaluate_later(instance.grappe_id)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def voter_deactivated(sender, instance, created, **kwargs):
    if created or instance.is_active:
        return
    # copil_voters() leaves deactivated accounts out: look at the seats themselves.
    grappe_ids = (
        ComiteMember.objects.filter(user_id=instance.pk, comite__kind=TypeComite.COPIL)
        .values_list("comite__grappe_id", flat=True)
        .distinct()
    )
    for grappe_id in grappe_ids:
        _reevaluate_later(grappe_id)
