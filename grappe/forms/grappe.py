from django import forms
from django.utils import timezone

from grappe.extensions import call_locked
from grappe.models import Aap, Grappe, OrganismeGestionnaire, Region


class GrappeForm(forms.ModelForm):
    class Meta:
        model = Grappe
        fields = [
            "name",
            "region",
            "aap",
            "porteur",
            "type_projet",
            "hebergement",
            "editeur",
            "solution",
            "solution_segur",
            "achat_sad",
            "amoa_marche",
            "amoa_projet",
            "origines",
            "enjeux",
            "convention_signed_on",
            "convention_amount",
        ]
        widgets = {
            "origines": forms.Textarea(attrs={"rows": 3}),
            "enjeux": forms.Textarea(attrs={"rows": 3}),
            "convention_signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The ARS convention comes from the call (candidatures.conventions: the ARS records its
        # signature); only the national admin types one signed outside the product.
        if user is None or not user.is_staff:
            del self.fields["convention_signed_on"]
            del self.fields["convention_amount"]
        locked = call_locked(self.instance) if self.instance.pk else ""
        if locked:
            for name in ("aap", "region"):
                self.fields[name].disabled = True
                self.fields[name].help_text = locked
        self.fields["region"].queryset = Region.objects.order_by("name")
        self.fields["aap"].queryset = Aap.objects.select_related("region")
        porteurs = OrganismeGestionnaire.objects.none()
        if self.instance.pk:
            # The porteur is chosen among the grappe's coopérateurs.
            porteurs = OrganismeGestionnaire.objects.filter(
                grappe_memberships__grappe=self.instance, grappe_memberships__left_on__isnull=True
            )
            self.fields[
                "porteur"
            ].help_text = "Choisi parmi les organismes gestionnaires de la grappe."
        else:
            del self.fields["porteur"]
        if "porteur" in self.fields:
            self.fields["porteur"].queryset = porteurs

    def clean(self):
        cleaned = super().clean()
        aap, region = cleaned.get("aap"), cleaned.get("region")
        if aap and region and aap.region_id and aap.region_id != region.pk:
            self.add_error("aap", f"Cet appel à projets est propre à la région {aap.region}.")
        amount, signed = cleaned.get("convention_amount"), cleaned.get("convention_signed_on")
        if amount is not None and amount <= 0:
            self.add_error("convention_amount", "Le montant doit être positif.")
        if signed and amount is None:
            self.add_error("convention_amount", "Indiquez le montant de la convention signée.")
        if signed and signed > timezone.localdate():
            self.add_error("convention_signed_on", "La date de signature ne peut pas être future.")
        return cleaned
