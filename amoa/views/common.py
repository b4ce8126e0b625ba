"""Helpers shared by the AMOA views: scoping and permission checks."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse

from amoa import perms
from amoa.models import Consultation, Offre
from grappe.shortcuts import get_grappe_for


def grappe_for(user, pk):
    """The grappe if the user may see its call for tenders: 404 to whoever does not see the
    grappe, 403 with the reason to its AMOA consultant (a possible candidate)."""
    grappe = get_grappe_for(user, pk)
    if not perms.can_view_consultation(user, grappe):
        raise PermissionDenied(perms.HIDDEN_FROM_CONSULTANT)
    return grappe


def consultation_for(user, pk, consultation_id):
    grappe = grappe_for(user, pk)
    consultation = get_object_or_404(Consultation, pk=consultation_id, grappe=grappe)
    consultation.grappe = grappe
    return grappe, consultation


def offre_for(consultation, offre_id):
    offre = get_object_or_404(
        Offre.objects.select_related("candidat"), pk=offre_id, consultation=consultation
    )
    offre.consultation = consultation
    return offre


def require(allowed):
    if not allowed:
        raise PermissionDenied


def cahier_url(consultation):
    """The cahier des charges builder's page when it exists (built by another part)."""
    try:
        return reverse("amoa:cahier", args=[consultation.grappe_id, consultation.pk])
    except NoReverseMatch:
        return None
