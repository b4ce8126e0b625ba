from django import forms

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        return cleaned
