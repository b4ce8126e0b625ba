"""API: the ranking of a consultation's offers."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from amoa import perms
from amoa.models import Consultation
from amoa.services import analyse
from grappe import perms as grappe_perms


class NoteCritereSerializer(serializers.Serializer):
    code = serializers.CharField()
    libelle = serializers.CharField()
    note = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    sur = serializers.IntegerField(help_text="Note maximale du critère.")
    poids = serializers.IntegerField(help_text="Pondération sur 100.")


class OffreClasseeSerializer(serializers.Serializer):
    offre = serializers.IntegerField()
    candidat = serializers.CharField()
    recevable = serializers.BooleanField()
    hors_delai = serializers.BooleanField()
    elimine = serializers.BooleanField()
    motif = serializers.CharField(allow_blank=True, help_text="Motif de mise à l'écart.")
    notes = NoteCritereSerializer(many=True)
    total = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="Total pondéré sur 100."
    )
    rang = serializers.IntegerField(allow_null=True, help_text="Nul pour une offre non classée.")


class ClassementSerializer(serializers.Serializer):
    consultation = serializers.IntegerField()
    titre = serializers.CharField()
    objet = serializers.CharField(help_text="« amoa » ou « editeur » (solution DUI).")
    classement_fige_le = serializers.DateTimeField(
        allow_null=True,
        help_text="Date à laquelle le choix du comité a figé le classement ; nul avant le choix.",
    )
    offres = OffreClasseeSerializer(many=True)


class ClassementView(APIView):
    @extend_schema(
        operation_id="consultation_classement",
        summary="Classement des offres d'une consultation AMOA",
        description="Notes par critère, total pondéré sur 100 et rang de chaque offre ; les "
        "offres éliminées, hors délai ou non recevables ont un rang nul. Après le choix du "
        "comité, le classement figé à cette date. 404 si la grappe n'est pas visible par "
        "l'utilisateur, ou pour un évaluateur qui n'a pas soumis sa grille ; 403 pour le "
        "consultant AMOA de la grappe, qui peut être candidat.",
        responses=ClassementSerializer,
    )
    def get(self, request, pk):
        consultation = get_object_or_404(Consultation.objects.select_related("grappe"), pk=pk)
        if not grappe_perms.can_view_grappe(request.user, consultation.grappe):
            raise Http404
        if not perms.can_view_consultation(request.user, consultation.grappe):
            # As on the call's pages: the consultant knows the grappe, so is told why.
            raise PermissionDenied(perms.HIDDEN_FROM_CONSULTANT)
        if not perms.can_see_scores(request.user, consultation):
            raise Http404
        result = analyse(consultation)
        weighted = [c for c in result.criteres if not c.is_indispensable]
        offres = []
        for offre, outcome, _cells in result.rows():
            offres.append(
                {
                    "offre": offre.pk,
                    "candidat": offre.candidat.societe,
                    "recevable": offre.recevable,
                    "hors_delai": offre.hors_delai,
                    "elimine": outcome.status == "eliminee",
                    "motif": outcome.reason,
                    "notes": [
                        {
                            "code": c.code,
                            "libelle": c.libelle,
                            "note": outcome.notes[c.code].note
                            if outcome.ranked and c.code in outcome.notes
                            else None,
                            "sur": c.echelle,
                            "poids": c.poids,
                        }
                        for c in weighted
                    ],
                    "total": outcome.total,
                    "rang": outcome.rank,
                }
            )
        data = {
            "consultation": consultation.pk,
            "titre": consultation.titre,
            "objet": consultation.objet,
            "classement_fige_le": result.fige["fige_le"] if result.fige else None,
            "offres": offres,
        }
        return Response(ClassementSerializer(data).data)
