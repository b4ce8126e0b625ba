"""API: the dossiers of a call for projects, for the ARS and the national admin (all of them) and
for a grappe's people (their own)."""

from django.db.models import Min, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from candidatures import perms
from candidatures.enums import StatutCandidature
from candidatures.instruction import analyse
from candidatures.models import DECISIONS as DECIDED
from candidatures.models import Campagne, Candidature, Depot
from grappe.eligibility import CheckStatus
from grappe.models import Grappe


class CandidatureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    grappe = serializers.CharField(help_text="Nom de la grappe.")
    statut = serializers.ChoiceField(choices=StatutCandidature.choices)
    eligible = serializers.BooleanField(
        allow_null=True,
        help_text="Selon le rapport d'éligibilité figé au dépôt ; nul tant que le dossier n'est "
        "pas déposé.",
    )
    montant_demande = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Calculé par le barème de l'appel, figé au dépôt (chaîne, au centime).",
    )
    montant_accorde = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Montant de la convention de financement ; nul sans convention.",
    )
    score = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="Total pondéré sur 100 ; nul tant que le dossier n'est pas instruit.",
    )
    rang = serializers.IntegerField(allow_null=True)
    esms = serializers.ListField(
        child=serializers.CharField(), help_text="Numéros FINESS des ESMS du dossier."
    )
    deposee_le = serializers.DateTimeField(
        allow_null=True, help_text="Premier dépôt (heure de Paris) ; nul pour un brouillon."
    )


def visible_candidatures(user, campagne):
    """The campaign's dossiers `user` may list: every one for the national admin, the filed
    ones for the AAP's region's ARS agents, the grappe's own for its people. None when they may
    see none of them (the API answers 404: they learn nothing of the call's dossiers)."""
    dossiers = Candidature.objects.filter(campagne=campagne)
    if user.is_staff:
        return dossiers
    if perms.can_manage_campagne(user, campagne):
        return dossiers.filter(depots__isnull=False).distinct()
    own = dossiers.filter(grappe__in=Grappe.objects.for_user(user)).exclude(
        grappe__region__ars_agents__user=user
    )
    return own if own.exists() else None


class CandidatureListView(generics.ListAPIView):
    serializer_class = CandidatureSerializer

    @extend_schema(
        operation_id="aap_candidatures",
        summary="Dossiers de candidature d'un appel à projets",
        description="Les dossiers de l'appel : tous pour l'administration nationale, les "
        "dossiers déposés pour les agents de l'ARS de la région de l'appel, son propre dossier "
        "pour une grappe. Montants en chaînes au centime ; score sur 100 et rang une fois le "
        "dossier instruit (pour la grappe, une fois la décision du comité de sélection "
        "prise). 404 pour qui ne peut voir aucun dossier de l'appel.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.campagne = get_object_or_404(
            Campagne.objects.select_related("aap__region"), aap_id=self.kwargs["pk"]
        )
        dossiers = visible_candidatures(self.request.user, self.campagne)
        if dossiers is None:
            raise Http404
        latest = Depot.objects.order_by("-numero").prefetch_related("esms")
        return (
            dossiers.select_related("grappe", "convention")
            .prefetch_related(
                Prefetch("depots", queryset=latest),
                "grappe__memberships__esms",
            )
            .annotate(premier_depot=Min("depots__deposee_le"))
            .order_by("grappe__name", "pk")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        analysis = analyse(self.campagne)
        ranks = {ligne.candidature.pk: ligne for ligne in analysis.lignes}
        # A grappe learns its score and rank with the committee's decision, not before; an
        # instructor not before submitting their own grid, never when in conflict.
        manager = perms.can_manage_campagne(request.user, self.campagne)
        hidden = analysis.masques_pour(request.user) if manager else set()
        rows = [
            self._row(
                dossier,
                ranks,
                dossier.pk not in hidden and (manager or dossier.statut in DECIDED),
            )
            for dossier in page
        ]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @staticmethod
    def _row(dossier, ranks, ranked):
        depots = list(dossier.depots.all())
        latest = depots[0] if depots else None
        if latest is not None:
            esms = sorted(e.finess_et for e in latest.esms.all())
            checks = latest.contenu.get("eligibilite", [])
            eligible = all(check.get("statut") != CheckStatus.KO for check in checks)
        else:
            esms = sorted(
                m.esms.finess_et for m in dossier.grappe.memberships.all() if m.left_on is None
            )
            eligible = None
        convention = getattr(dossier, "convention", None)
        ligne = ranks.get(dossier.pk) if ranked else None
        return {
            "id": dossier.pk,
            "grappe": dossier.grappe.name,
            "statut": dossier.statut,
            "eligible": eligible,
            "montant_demande": dossier.montant_demande,
            "montant_accorde": convention.montant_accorde if convention else None,
            "score": ligne.score if ligne else None,
            "rang": ligne.rang if ligne else None,
            "esms": esms,
            "deposee_le": dossier.premier_depot,
        }
