import datetime

import factory
from factory.django import DjangoModelFactory

from grappe.enums import RoleComite, RoleKind, TypeComite
from grappe.finess import expected_key
from grappe.models import (
    ArsAgent,
    Categorie,
    Comite,
    ComiteMember,
    Departement,
    Esms,
    EsmsMembership,
    Grappe,
    OgMembership,
    OrganismeGestionnaire,
    Region,
    Role,
)
from users.models import User


def finess_number(prefix, n):
    """A valid (Luhn) FINESS number: 2-char département prefix + 6 digits + key."""
    body = f"{prefix}{n:06d}"
    return body + expected_key(body)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    password = factory.django.Password("motdepasse-de-test")


def region(code="32"):
    return Region.objects.get(code=code)


def departement(code="59"):
    return Departement.objects.get(code=code)


class CategorieFactory(DjangoModelFactory):
    class Meta:
        model = Categorie
        django_get_or_create = ("code",)

    code = "500"
    libelle = "Etablissement d'hébergement pour personnes âgées dépendantes"
    agregat_code = "4401"
    agregat_libelle = "Etablissements d'Hébergement pour Personnes Âgées"


class OrganismeGestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = OrganismeGestionnaire

    finess_ej = factory.Sequence(lambda n: finess_number("59", 500000 + n))
    raison_sociale = factory.Sequence(lambda n: f"ASSOCIATION GESTIONNAIRE {n}")
    statut_juridique = "60"
    statut_juridique_libelle = "Association Loi 1901 non Reconnue d'Utilité Publique"
    code_postal = "59000"
    commune = "LILLE"
    departement = factory.LazyFunction(lambda: departement("59"))


class EsmsFactory(DjangoModelFactory):
    class Meta:
        model = Esms

    finess_et = factory.Sequence(lambda n: finess_number("59", n + 1))
    og = factory.SubFactory(OrganismeGestionnaireFactory)
    raison_sociale = factory.Sequence(lambda n: f"EHPAD LES TILLEULS {n}")
    categorie = factory.SubFactory(CategorieFactory)
    code_postal = "59000"
    commune = "LILLE"
    departement = factory.LazyFunction(lambda: departement("59"))


class GrappeFactory(DjangoModelFactory):
    class Meta:
        model = Grappe
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Grappe numérique {n}")
    region = factory.LazyFunction(lambda: region("32"))
    porteur = factory.SubFactory(OrganismeGestionnaireFactory)

    @factory.post_generation
    def comites(obj, create, extracted, **kwargs):
        if create:
            for kind in TypeComite.values:
                Comite.objects.get_or_create(grappe=obj, kind=kind)
            OgMembership.objects.get_or_create(grappe=obj, og=obj.porteur)


# Test grappes hold their ESMS since long before the months their tests write and read (a grappe
# sees an ESMS's usage only for the months it held it: EsmsMembership.held_in).
MEMBERS_SINCE = datetime.date(2020, 1, 1)


def add_esms(grappe, count=1, og=None, **esms_kwargs):
    """Put `count` new ESMS in the grappe (and their OG among its coopérateurs)."""
    og = og or grappe.porteur
    created = []
    for _ in range(count):
        esms = EsmsFactory(og=og, **esms_kwargs)
        EsmsMembership.objects.create(grappe=grappe, esms=esms, joined_on=MEMBERS_SINCE)
        created.append(esms)
    OgMembership.objects.get_or_create(grappe=grappe, og=og, left_on=None)
    return created


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    grappe = factory.SubFactory(GrappeFactory)
    user = factory.SubFactory(UserFactory)
    kind = RoleKind.MEMBRE


def copil_member(grappe, user=None, role=RoleComite.MEMBRE):
    user = user or UserFactory()
    comite = Comite.objects.get(grappe=grappe, kind=TypeComite.COPIL)
    ComiteMember.objects.create(comite=comite, user=user, role=role)
    return user


def ars_agent(region_code="32", user=None):
    user = user or UserFactory()
    ArsAgent.objects.create(user=user, region=region(region_code))
    return user
