"""Forms of the FINESS registry pages: search the registry, upload a FINESS file."""

import codecs

from django import forms
from django.core.exceptions import ValidationError

from core.text import size
from core.uploads import UploadRefused, decode_text, format_count
from grappe.finess_import import HEADER_PATTERN, MAX_LINES
from grappe.models import Categorie, Departement

MAX_UPLOAD_SIZE = 200_000_000  # « 200 Mo » (decimal, as core.text.size writes it)


class RegistreSearchForm(forms.Form):
    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=200,
        help_text="Numéro FINESS (géographique ou juridique), nom, commune ou code postal.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    departement = forms.ModelChoiceField(
        label="Département",
        queryset=Departement.objects.none(),
        required=False,
        empty_label="Tous les départements",
    )
    categorie = forms.ModelChoiceField(
        label="Catégorie",
        queryset=Categorie.objects.none(),
        required=False,
        empty_label="Toutes les catégories",
    )
    esms_only = forms.BooleanField(
        label="ESMS seulement",
        required=False,
        help_text="Établissements sociaux et médico-sociaux (agrégats FINESS 4xxx).",
    )

    def __init__(self, data=None, **kwargs):
        # First visit (no criterion, maybe a page number): ESMS only. Once the form is submitted an
        # unticked box is absent from the query string, so the submitted value is taken as is.
        if not data or set(data) <= {"page"}:
            data = data.copy() if data else {}
            data["esms_only"] = "on"
        super().__init__(data, **kwargs)
        self.fields["departement"].queryset = Departement.objects.order_by("code")
        self.fields["categorie"].queryset = Categorie.objects.order_by("code")


class FinessImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier FINESS",
        help_text=(
            "Extraction « etalab » du fichier FINESS (.csv, séparateur « ; »), établissements "
            "(cs1100502 / cs1100507) ou entités juridiques (cs1100501). 200 Mo et "
            f"{format_count(MAX_LINES)} lignes au plus (l'extraction nationale des établissements "
            "en compte environ 200\xa0000 avec leurs géolocalisations)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    include_all = forms.BooleanField(
        label="Toutes catégories",
        required=False,
        help_text=(
            "Importer aussi les établissements sanitaires et les autres catégories hors champ "
            "ESMS (par défaut : seulement les agrégats 4xxx)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise ValidationError(
                f"Fichier trop volumineux ({size(upload.size)}) : {size(MAX_UPLOAD_SIZE)} au plus."
            )
        upload.seek(0)
        head = upload.read(200)
        upload.seek(0)
        try:
            # The importer's own rule (Latin-1 reads any byte): a UTF-16 or binary file is
            # named as such rather than « not a FINESS extraction ».
            decode_text(head, encodings=("latin-1",))
        except UploadRefused as refused:
            raise ValidationError(refused.reason[:1].upper() + refused.reason[1:]) from None
        first_line = head.removeprefix(codecs.BOM_UTF8).split(b"\n", 1)[0].decode("latin-1")
        if not HEADER_PATTERN.match(first_line.strip()):
            raise ValidationError(
                "Ce fichier ne ressemble pas à une extraction FINESS : sa première ligne devrait "
                "être le commentaire « finess;etalab;… »."
            )
        return upload
