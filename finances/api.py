"""GET /api/v1/grappes/{id}/finances/: the grappe's finances by poste, totals and by OG.
Amounts are strings to the cent (TTC for engaged, invoiced, paid, justified)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from finances import services
from finances.perms import can_view_finances
from grappe import perms as grappe_perms
from grappe.models import Grappe
from grappe.perms import is_og_direction


def money(help_text):
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=True, help_text=help_text
    )


class SommesSerializer(serializers.Serializer):
    budget = money("Subvention + financements propres des OG (€).")
    subvention = money(
        "Part du montant de la convention (à défaut, de la simulation) sur le poste (€)."
    )
    engage = money("Engagements, TTC (€).")
    facture = money("Factures, TTC (€).")
    paye = money("Factures payées, TTC (€).")
    justifie = money("Factures payées et éligibles, TTC (€).")


class PosteSerializer(SommesSerializer):
    code = serializers.CharField()
    libelle = serializers.CharField()


class OgSerializer(serializers.Serializer):
    finess_ej = serializers.CharField()
    part = money("Part de l'OG dans le budget : ses financements propres (€).")
    recu = money(
        "Parts de l'OG dans les tranches payées par l'ARS, selon la clé de répartition (€)."
    )
    reverse = money(
        "Reversé à l'OG par le porteur (€) ; pour le porteur, sa propre part, conservée dès le "
        "paiement."
    )


class FinancesSerializer(serializers.Serializer):
    postes = PosteSerializer(many=True)
    totaux = SommesSerializer()
    ogs = OgSerializer(many=True)


class GrappeFinancesView(APIView):
    @extend_schema(
        operation_id="grappe_finances",
        summary="Finances d'une grappe",
        description=(
            "Budget, subvention, engagé, facturé, payé et justifié par poste et au total, part "
            "de chaque organisme gestionnaire. Montants en chaînes à deux décimales. 404 si la "
            "grappe n'est pas visible, 403 si ses finances ne le sont pas."
        ),
        responses=FinancesSerializer,
    )
    def get(self, request, pk):
        grappe = Grappe.objects.select_related("aap", "porteur").filter(pk=pk).first()
        user = request.user
        if grappe is None or not (
            grappe_perms.can_view_grappe(user, grappe) or is_og_direction(user, grappe)
        ):
            raise Http404
        if not can_view_finances(user, grappe):
            raise PermissionDenied("Les finances de cette grappe ne vous sont pas ouvertes.")
        synthese = services.synthese(grappe)
        data = {
            "postes": synthese.postes,
            "totaux": synthese.totaux,
            "ogs": [
                {"finess_ej": og.code, "part": og.part, "recu": og.recu, "reverse": og.reverse}
                for og in synthese.ogs
            ],
        }
        return Response(FinancesSerializer(data).data)
