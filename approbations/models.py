"""One answer (avis) of one person on one document, in one round of approval.

The document is any model (generic foreign key): a deliverable's version, meeting minutes, an
application dossier. A document submitted again starts a new round (`tour`): the earlier rounds'
answers stay, they are the document's trail."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from approbations.enums import DECISIVE, Decision


class AvisQuerySet(models.QuerySet):
    def for_model(self, model):
        """The answers on documents of `model`. Through the content type's natural key (a join)
        rather than ContentType.objects.get_for_model: no extra query the first time, so the
        pages that count their queries count the same number every time."""
        return self.filter(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
        )

    def for_documents(self, model, pks):
        return self.for_model(model).filter(object_id__in=list(pks))

    def for_document(self, document, tour=None):
        """The answers on `document`: all its rounds (its trail), or round `tour`."""
        queryset = self.for_model(type(document)).filter(object_id=document.pk)
        return queryset if tour is None else queryset.filter(tour=tour)

    def decisive(self):
        return self.filter(decision__in=DECISIVE)


class Avis(models.Model):
    """A person's answer on a document: approve, reject, request changes, or a comment.
    `siege`: the seat the person answers for — "" themself (a COPIL member), "og:<pk>" an
    organisation whose several directors share one vote (engine.Regle.seats)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    tour = models.PositiveSmallIntegerField("tour", default=1)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    siege = models.CharField("siège", max_length=40, blank=True)
    decision = models.CharField("avis", max_length=20, choices=Decision.choices)
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)

    objects = AvisQuerySet.as_manager()

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        ordering = ["content_type", "object_id", "tour", "created_at", "pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "tour"], name="approbations_avis_document"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "tour", "user"],
                condition=Q(decision__in=[decision.value for decision in DECISIVE]),
                name="approbations_one_decision_per_round",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_decision_display()}"

    @property
    def is_approval(self):
        return self.decision == Decision.APPROUVE

    @property
    def is_rejection(self):
        return self.decision == Decision.REJETTE
