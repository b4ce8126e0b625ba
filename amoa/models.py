"""The AMOA call for tenders of a grappe: the consultation and its cahier des charges, the
candidates' offers, their evaluation by the comité de sélection, the ranking and the choice."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from amoa.enums import Mission, StatutConsultation
from grappe.models import Grappe


class ConsultationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Consultations of the grappes the user may see (Grappe.objects.for_user)."""
        return self.filter(grappe__in=Grappe.objects.for_user(user))


class Consultation(models.Model):
    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="consultations")
    titre = models.CharField("intitulé", max_length=200)
    missions = models.JSONField(
        "missions", default=list, help_text="« marche » et/ou « projet » (amoa.enums.Mission)."
    )
    budget = models.DecimalField(
        "enveloppe budgétaire (€ HT)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    statut = models.CharField(
        "statut",
        max_length=20,
        choices=StatutConsultation.choices,
        default=StatutConsultation.BROUILLON,
    )
    # Timetable
    publiee_le = models.DateField("date de publication", null=True, blank=True)
    questions_avant = models.DateField("date limite des questions", null=True, blank=True)
    offres_avant = models.DateTimeField(
        "date et heure limites de remise des offres", null=True, blank=True
    )
    auditions_du = models.DateField("auditions à partir du", null=True, blank=True)
    auditions_au = models.DateField("auditions jusqu'au", null=True, blank=True)
    # Contact of the grappe for the candidates
    contact_nom = models.CharField("contact (nom)", max_length=200, blank=True)
    contact_email = models.EmailField("contact (e-mail)", blank=True)
    contact_telephone = models.CharField("contact (téléphone)", max_length=30, blank=True)
    # The cahier des charges as edited in the builder (amoa/cahier.py): per section, the items
    # kept, removed and added, and free texts. The grappe context is read live from the registry.
    cahier = models.JSONField("cahier des charges", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "consultation AMOA"
        verbose_name_plural = "consultations AMOA"
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return reverse("amoa:consultation", args=[self.grappe_id, self.pk])

    def mission_labels(self):
        labels = dict(Mission.choices)
        return [labels[code] for code in self.missions if code in labels]
