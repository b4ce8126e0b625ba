"""The permission matrix (issue 9): every URL of the project against the whole cast.

Every named URL must have an entry in tests/permission_matrix.py (expected status per person for
GET, and for POST on write views); a new view without one fails here, so it cannot reach
production without somebody deciding who may see it. The cast is tests/conftest.py's plus the
grappe's AMOA consultant and a voting member of its comité de sélection. One world is built for
the module (one object of each kind the URLs point to) and every request runs in a savepoint
rolled back afterwards, so a write by one person never changes what the next one sees (files a
write deletes are put back too).
"""

import copy
import datetime
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from amoa.models import Audition, ImportReponse, SolutionEtudiee
from amoa.services import record_history
from candidatures import instruction
from candidatures.conventions import preparer
from candidatures.models import Candidature, PieceJointe
from finances.models import ImportFactures, Reversement, StatutImportFactures
from grappe.enums import RoleKind, StatutImport, TypeComite
from grappe.models import (
    ComiteMember,
    EsmsMembership,
    FinessImport,
    JoinRequest,
    OgMembership,
    Role,
)
from indicateurs.enums import StatutImport as StatutImportUsage
from indicateurs.models import ImportUsage
from indicateurs.services import ensure_tranches
from projets.enums import CategorieRisque, StatutVersion, TypeReunion
from projets.models import Action, CalendarFeed, LivrableVersion, ReunionDocument, Risque
from tests.amoa.factories import (
    ConsultationFactory,
    editeur_consultation,
    evaluator,
    make_offre,
    make_offre_editeur,
)
from tests.candidatures.factories import campagne_for, designate, filed
from tests.conftest import cast as cast_fixture
from tests.finances import factories as finances_factories
from tests.grappe.factories import (
    EsmsFactory,
    OrganismeGestionnaireFactory,
    RoleFactory,
    UserFactory,
    add_esms,
)
from tests.permission_matrix import (
    EXCLUDED_NAMES,
    EXCLUDED_NAMESPACES,
    EXPECTATIONS,
    HIDDEN_MEETING_EXPECTATIONS,
    LOGIN,
    OK,
    PERSONS,
)
from tests.projets.factories import plan_for
from tests.projets.helpers_comptes_rendus import draft, full_meeting, meeting
from users.models import ApiToken

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NOW = "2026-06-15 10:00 +0200"


# ---------------------------------------------------------------------------------------------
# The URLs of the project
# ---------------------------------------------------------------------------------------------


def walk(patterns, namespace=None, prefix=""):
    """(full name, route, pattern) of every named URL, namespaces included."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from walk(pattern.url_patterns, inner or namespace, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, route, pattern


def project_urls():
    """{key: (name, route, pattern)} of the URLs under test. The key is the URL name; a name
    given to two routes (a bug: {% url %} cannot tell them apart by name) is keyed
    "name (route)" for each of them, so both are still tested."""
    found = [
        (name, route, pattern)
        for name, route, pattern in walk(get_resolver().url_patterns)
        if name.split(":")[0] not in EXCLUDED_NAMESPACES and name not in EXCLUDED_NAMES
    ]
    counts = Counter(name for name, _, _ in found)
    return {
        (name if counts[name] == 1 else f"{name} ({route})"): (name, route, pattern)
        for name, route, pattern in found
    }


URLS = project_urls()
URL_NAMES = sorted(URLS)


# ---------------------------------------------------------------------------------------------
# The world: the cast, an AMOA consultant, and one object of each kind
# ---------------------------------------------------------------------------------------------


class World:
    pass


def build_world():
    # tests/conftest.py's cast itself (its fixture is function-scoped: call the function once).
    cast = cast_fixture.__wrapped__(None)
    grappe = cast.grappe
    world = World()
    world.cast = cast
    world.grappe = grappe
    amoa = RoleFactory(
        grappe=grappe, kind=RoleKind.AMOA, user=UserFactory(email="amoa@exemple.fr")
    ).user
    world.people = {
        **cast.users(),
        "amoa": amoa,
        "evaluator": evaluator(grappe, UserFactory(email="evaluatrice@exemple.fr")),
    }

    # Registry: a second OG (with an ESMS) that may be removed, a FINESS import.
    grappe.convention_amount = Decimal(200000)
    # Signed: its signature tranche is due, for the ARS to record the payment.
    grappe.convention_signed_on = datetime.date(2026, 3, 16)
    grappe.save(update_fields=["convention_amount", "convention_signed_on"])
    add_esms(grappe, 1, og=OrganismeGestionnaireFactory())
    world.membership = grappe.memberships.order_by("pk").first()
    world.og_membership = (
        OgMembership.objects.filter(grappe=grappe).exclude(og=grappe.porteur).get()
    )
    world.role = Role.objects.get(grappe=grappe, user=cast.member)
    # A grappe's pending request for an ESMS whose OG's direction has not decided yet.
    world.join_request = JoinRequest.objects.create(
        grappe=grappe, esms=EsmsFactory(), requested_by=cast.owner
    )
    world.comite_member = ComiteMember.objects.get(
        comite__grappe=grappe, comite__kind=TypeComite.COPIL, user=cast.copil
    )
    finess = FinessImport(
        original_name="finess.csv", user=cast.admin, status=StatutImport.SIMULATION
    )
    finess.file.save("finess.csv", ContentFile(b"structureet;\n"), save=False)
    finess.save()
    world.finess_import = finess

    # Plan: a step, a milestone, a deliverable with a version, a risk.
    plan = plan_for(grappe, user=cast.owner)
    world.etape = plan.etapes.order_by("pk").first()
    world.jalon = plan.jalons.order_by("pk").first()
    world.livrable = plan.livrables.get(reference__code="note_cadrage")
    version = LivrableVersion(
        livrable=world.livrable,
        numero=1,
        original_name="note-v1.pdf",
        size=len(PDF),
        content_type="application/pdf",
        status=StatutVersion.DEPOSEE,
        uploaded_by=cast.owner,
    )
    version.file.save("note-v1.pdf", ContentFile(PDF), save=False)
    version.save()
    world.version = version
    world.risque = Risque.objects.create(
        plan=plan,
        titre="Retard de l'éditeur",
        categorie=CategorieRisque.values[0],
        probabilite=2,
        impact=3,
        owner=cast.owner,
    )

    # A past COPIL meeting with a document, minutes and actions; the owner's calendar feed.
    reunion = full_meeting(grappe, cast.owner)
    world.reunion = reunion
    document = ReunionDocument(
        reunion=reunion,
        original_name="support-copil.pdf",
        size=len(PDF),
        content_type="application/pdf",
    )
    document.file.save("support-copil.pdf", ContentFile(PDF), save=False)
    document.save()
    world.document = document
    world.compte_rendu = draft(reunion, cast.owner, synthese="Synthèse du COPIL.")
    # An action owned by the member (not an editor): its owner may change its status.
    world.action = Action.objects.create(
        grappe=grappe, reunion=reunion, titre="Relire la convention", owner=cast.member
    )
    world.calendar_feed = CalendarFeed.objects.create(user=cast.owner)
    world.hidden = hidden_meeting(grappe, cast)

    # AMOA: a consultation with its criteria and an offer (with its pieces) heard in audition.
    consultation = ConsultationFactory(grappe=grappe, created_by=cast.owner, titre="AMOA Flandres")
    world.consultation = consultation
    world.offre = make_offre(consultation, "Alpha Conseil")
    make_offre(consultation, "Beta Santé", 50000, 850)
    world.piece = world.offre.pieces.order_by("pk").first()
    world.audition = Audition.objects.create(
        offre=world.offre, date=timezone.now() + datetime.timedelta(days=3), created_by=cast.owner
    )

    # Choosing the DUI: the grappe's grid (from the reference), a studied solution, an éditeur
    # consultation with an offer and an imported cadre de réponse.
    dui = editeur_consultation(grappe, created_by=cast.owner)
    world.dui = dui
    world.offre_editeur = make_offre_editeur(dui, "Éditeur Un")
    world.exigence = grappe.grille_fonctionnelle.exigences.order_by("pk").first()
    world.solution = SolutionEtudiee.objects.create(
        grappe=grappe, editeur="Éditeur Un", solution="DUI Un"
    )
    reponse = ImportReponse(offre=world.offre_editeur, original_name="cadre.xlsx", par=cast.owner)
    reponse.file.save("cadre.xlsx", ContentFile(b"PK"), save=False)
    reponse.save()
    world.import_reponse = reponse

    # Indicators: a verified usage import, the convention's tranches.
    usage_import = ImportUsage(
        nom_original="usages.csv",
        grappe=grappe,
        statut=StatutImportUsage.VERIFIE,
        envoye_par=cast.owner,
    )
    usage_import.fichier.save("usages.csv", ContentFile(b"finess_et;mois\n"), save=False)
    usage_import.save()
    world.usage_import = usage_import
    ensure_tranches()
    world.tranche = grappe.tranches.order_by("numero").first()
    world.campagne = campagne_for(grappe.region)
    # The grappe answers that call: its dossier is being prepared.
    grappe.aap = world.campagne.aap
    grappe.save(update_fields=["aap"])
    Candidature.objects.create(campagne=world.campagne, grappe=grappe)
    # Instruction (ARS): another grappe of the region filed its dossier, the cast's ARS agent is
    # its designated instructor (blind: not scored yet); a third grappe's dossier is instructed
    # (a consensus note on every criterion) and retained.
    world.dossier = filed(world.campagne)
    designate(world.campagne, cast.ars)
    world.dossier_decide = filed(world.campagne)
    for critere in world.campagne.criteres.all():
        instruction.set_consensus(world.dossier_decide, critere, Decimal(7), "Comité.", cast.admin)
    instruction.decider(world.dossier_decide, "retenue", "Prioritaire.", cast.admin)
    # Its convention is prepared, not signed; the filed dossier's accusé de réception is kept;
    # the cast's draft holds a piece.
    preparer(world.dossier_decide, Decimal("100000.00"), "", cast.admin)
    depot = world.dossier.depots.get()
    depot.accuse.save("accuse.pdf", ContentFile(b"%PDF-1.4 accuse"), save=True)
    brouillon = Candidature.objects.get(campagne=world.campagne, grappe=grappe)
    world.piece_jointe = PieceJointe(
        candidature=brouillon,
        piece=world.campagne.pieces.first(),
        original_name="budget.pdf",
        size=12,
        content_type="application/pdf",
        sha256="0" * 64,
    )
    world.piece_jointe.file.save("budget.pdf", ContentFile(b"%PDF-1.4 budget"), save=True)

    # Finances: an engagement with its document and an invoice.
    world.engagement = finances_factories.engagement(grappe)
    world.engagement.document_nom = "commande.pdf"
    world.engagement.document_type = "application/pdf"
    world.engagement.document.save("commande.pdf", ContentFile(PDF), save=True)
    world.facture = finances_factories.facture(world.engagement, "F-1", "100.00")
    world.import_factures = ImportFactures(
        grappe=grappe, nom_original="factures.xlsx", statut=StatutImportFactures.REFUSE
    )
    world.import_factures.fichier.save("factures.xlsx", ContentFile(b"PK"), save=True)
    world.reversement = Reversement.objects.create(
        grappe=grappe,
        og=grappe.porteur,
        tranche=world.tranche,
        montant="10.00",
        date=datetime.date(2026, 5, 4),
    )

    # Writes may delete files (a piece, a document) and a rollback does not bring them back.
    world.files = [
        version.file.name,
        document.file.name,
        world.hidden["document"].file.name,
        finess.file.name,
        world.engagement.document.name,
        world.facture.fichier.name,
        world.import_factures.fichier.name,
        usage_import.fichier.name,
        reponse.file.name,
        *(piece.file.name for piece in world.offre_editeur.pieces.all()),
        *(piece.file.name for piece in world.offre.pieces.all()),
    ]
    world.file_contents = {}
    for name in world.files:
        with default_storage.open(name) as handle:
            world.file_contents[name] = handle.read()
    world.clients = signed_in_clients(world)
    world.tokens = {
        person: ApiToken.objects.issue(user, "Matrice")[1]
        for person, user in world.people.items()
        if user is not None
    }
    world.api_token = world.cast.owner.api_tokens.get()
    return world


def meeting_document(reunion, name):
    document = ReunionDocument(
        reunion=reunion, original_name=name, size=len(PDF), content_type="application/pdf"
    )
    document.file.save(name, ContentFile(PDF), save=False)
    document.save()
    return document


def hidden_meeting(grappe, cast):
    """A past meeting of the comité de sélection, hidden from the AMOA consultant, like the
    COPIL's: a document, a draft of its minutes, an action owned by the member."""
    reunion = meeting(
        grappe, day=datetime.date(2026, 6, 3), titre="Audition", kind=TypeReunion.SELECTION
    )
    action = Action.objects.create(
        grappe=grappe, reunion=reunion, titre="Noter les offres", owner=cast.member
    )
    return {
        "reunion": reunion,
        "document": meeting_document(reunion, "grille-de-notation.pdf"),
        "compte_rendu": draft(reunion, cast.owner, synthese="Synthèse de l'audition."),
        "action": action,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at the end."""
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# ---------------------------------------------------------------------------------------------
# URL arguments
# ---------------------------------------------------------------------------------------------


def url_kwargs(name, pattern, world):
    """Map every argument of the pattern to an object of the world."""
    grappe = world.grappe
    common = {
        "pk": grappe.pk,
        "membership_id": world.membership.pk,
        "og_membership_id": world.og_membership.pk,
        "request_id": world.join_request.pk,
        "role_id": world.role.pk,
        "kind": TypeComite.COPIL,
        "member_id": world.comite_member.pk,
        "import_id": world.finess_import.pk,
        "numero": world.etape.reference.numero,
        "etape_id": world.etape.pk,
        "jalon_id": world.jalon.pk,
        "livrable_id": world.livrable.pk,
        "version_id": world.version.pk,
        "risque_id": world.risque.pk,
        "reunion_id": world.reunion.pk,
        "document_id": world.document.pk,
        "cr_id": world.compte_rendu.pk,
        "action_id": world.action.pk,
        "token": world.calendar_feed.token,
        "consultation_id": world.consultation.pk,
        "offre_id": world.offre.pk,
        "piece_id": world.piece.pk,
        "audition_id": world.audition.pk,
        "tranche_id": world.tranche.pk,
        "exigence_id": world.exigence.pk,
        "solution_id": world.solution.pk,
        "format": "csv",
        "code": grappe.region.code,
        "engagement_id": world.engagement.pk,
        "facture_id": world.facture.pk,
        "reversement_id": world.reversement.pk,
    }
    # The DUI choice's pages about offers need the éditeur consultation.
    editeur = {
        "consultation_id": world.dui.pk,
        "offre_id": world.offre_editeur.pk,
        "import_id": world.import_reponse.pk,
    }
    overrides = {
        **dict.fromkeys(DUI_EDITEUR_URLS, editeur),
        "indicateurs:import_detail": {"import_id": world.usage_import.pk},
        "finances:import_factures_detail": {"import_id": world.import_factures.pk},
        "indicateurs:import_progression": {"import_id": world.usage_import.pk},
        "api-consultation-classement": {"pk": world.consultation.pk},
        **dict.fromkeys(
            [
                "candidatures:campagne",
                "candidatures:campagne_edit",
                "candidatures:criteres",
                "candidatures:instructeurs",
            ],
            {"pk": world.campagne.pk},
        ),
        **dict.fromkeys(
            [
                "candidatures:instruction",
                "candidatures:conflit",
                "candidatures:consensus",
                "candidatures:demande_pieces",
            ],
            {"pk": world.campagne.pk, "candidature_id": world.dossier.pk},
        ),
        **dict.fromkeys(
            [
                "candidatures:decision",
                "candidatures:lettre_decision",
                "candidatures:convention",
                "candidatures:convention_signer",
                "candidatures:convention_pdf",
            ],
            {"pk": world.campagne.pk, "candidature_id": world.dossier_decide.pk},
        ),
        "candidatures:piece_download": {"piece_id": world.piece_jointe.pk},
        "candidatures:accuse": {"pk": world.dossier.grappe_id, "numero": 1},
        "api-aap-candidatures": {"pk": world.campagne.aap_id},
        "users:revoquer_jeton": {"token_id": world.api_token.pk},
        "password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(world.cast.owner.pk)),
            "token": "set-password",
        },
    }
    kwargs = {}
    for key in pattern.pattern.converters:
        value = overrides.get(name, {}).get(key, common.get(key))
        if value is None:
            raise AssertionError(f"{name} : argument d'URL inconnu « {key} » — ajoutez-le au monde")
        kwargs[key] = value
    return kwargs


DUI_EDITEUR_URLS = [
    "amoa:cadre_export",
    "amoa:cadre_import",
    "amoa:cadre_import_detail",
    "amoa:cadre_import_apply",
    "amoa:couverture",
    "amoa:cout_total",
    "amoa:rapport_choix",
]


# ---------------------------------------------------------------------------------------------
# Requests and outcomes
# ---------------------------------------------------------------------------------------------


def restore_files(world):
    for name, content in world.file_contents.items():
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))


def signed_in_clients(world):
    """One client per person, signed in once for the module (sessions are part of the world)."""
    clients = {}
    for person, user in world.people.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        clients[person] = (client, copy.deepcopy(client.cookies))
    return clients


def request_as(world, person, method, url, api=False):
    """(status, Location) of one request by `person`, inside a savepoint rolled back after."""
    if api:
        client = Client()
        if world.people[person] is not None:
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {world.tokens[person]}"
    else:
        client, cookies = world.clients[person]
        # A response may change the cookies (logout): start each request from the signed-in ones.
        client.cookies = copy.deepcopy(cookies)
    with transaction.atomic():
        try:
            response = getattr(client, method)(url)
            if response.streaming:
                # Read the stream to its end (this closes the file); never close it twice.
                b"".join(response.streaming_content)
            outcome = (response.status_code, response.get("Location", ""))
        except Exception as error:  # a crash is an outcome like any other: report it as a 500
            outcome = (500, f"{type(error).__name__}: {error}")
        transaction.set_rollback(True)
    restore_files(world)
    return outcome


def matches(expected, status, location):
    is_login = status == 302 and location.startswith("/connexion/?next=")
    if expected == LOGIN:
        return is_login
    if expected == OK:
        return not is_login and status < 500 and status not in (401, 403, 404, 405)
    return status == expected and not is_login


def describe(status, location):
    if status == 302:
        return f"302 → {location}"
    if status >= 500:
        return f"{status} ({location})" if location else str(status)
    return str(status)


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_every_url_is_in_the_matrix():
    missing = [name for name in URL_NAMES if name not in EXPECTATIONS]
    stale = sorted(set(EXPECTATIONS) - set(URL_NAMES))
    messages = [
        f"URL sans attente de permissions : {name} — ajoutez-la à la matrice "
        "(tests/permission_matrix.py)"
        for name in missing
    ] + [f"Attente pour une URL qui n'existe plus : {name}" for name in stale]
    assert not messages, "\n".join(messages)


def test_url_names_are_unique():
    routes = {}
    for name, route, _pattern in walk(get_resolver().url_patterns):
        routes.setdefault(name, []).append(route)
    twice = {name: found for name, found in routes.items() if len(found) > 1}
    assert not twice, "Nom d'URL donné à plusieurs routes : " + "; ".join(
        f"{name} → {', '.join(found)}" for name, found in sorted(twice.items())
    )


def test_every_profile_covers_the_cast():
    for name, profiles in EXPECTATIONS.items():
        for method, expected in zip(("GET", "POST"), profiles, strict=True):
            if expected is not None:
                assert set(expected) == set(PERSONS), f"{name} {method}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", URL_NAMES)
def test_permissions(name, world):
    if name not in EXPECTATIONS:
        pytest.fail(f"URL sans attente de permissions : {name} — ajoutez-la à la matrice")
    url_name, _route, pattern = URLS[name]
    url = reverse(url_name, kwargs=url_kwargs(url_name, pattern, world))
    wrong = wrong_outcomes(world, url, EXPECTATIONS[name], api=url_name.startswith("api-"))
    assert not wrong, f"{name}\n" + "\n".join(wrong)


def wrong_outcomes(world, url, profiles, api=False):
    """The requests of the cast on `url` whose outcome is not the expected one, described."""
    wrong = []
    for method, expected in zip(("get", "post"), profiles, strict=True):
        if expected is None:
            continue
        for person in PERSONS:
            status, location = request_as(world, person, method, url, api=api)
            if not matches(expected[person], status, location):
                wrong.append(
                    f"{method.upper()} {url} par {person} : {describe(status, location)}, "
                    f"attendu {expected[person]}"
                )
    return wrong


# The arguments that name a meeting or an object born in one.
MEETING_OBJECTS = {"reunion_id", "action_id"}


def test_every_url_of_a_meeting_is_in_the_hidden_meeting_row():
    """A new URL of a meeting's object must say what the AMOA consultant gets for a hidden one."""
    names = {
        name
        for name, (_, _, pattern) in URLS.items()
        if MEETING_OBJECTS & set(pattern.pattern.converters)
    }
    assert names == set(HIDDEN_MEETING_EXPECTATIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HIDDEN_MEETING_EXPECTATIONS))
def test_permissions_on_a_hidden_meetings_objects(name, world):
    """The meeting's URLs on a comité de sélection's meeting and its action, document, minutes:
    404 to the grappe's AMOA consultant, the usual answers to everyone else."""
    url_name, _route, pattern = URLS[name]
    hidden = world.hidden
    kwargs = {
        **url_kwargs(url_name, pattern, world),
        "reunion_id": hidden["reunion"].pk,
        "document_id": hidden["document"].pk,
        "cr_id": hidden["compte_rendu"].pk,
        "action_id": hidden["action"].pk,
    }
    kwargs = {key: kwargs[key] for key in pattern.pattern.converters}
    url = reverse(url_name, kwargs=kwargs)
    wrong = wrong_outcomes(world, url, HIDDEN_MEETING_EXPECTATIONS[name])
    assert not wrong, f"{name} (comité de sélection)\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_calendar_feed_needs_its_token(world):
    """The feed is open to calendar apps only through its secret: a wrong token is a 404."""
    url = reverse("projets:calendar_feed", kwargs={"token": "x" * 43})
    assert request_as(world, "anonymous", "get", url)[0] == 404


@pytest.mark.django_db
def test_amoa_consultants_do_not_read_the_call_in_the_grappe_history(world):
    """amoa.perms: the grappe's AMOA consultants do not see the call (they may be candidates).
    The AMOA views write the offers' prices and the choice into the grappe's history, which
    every reader of the grappe sees: the AMOA consultant must not find them there."""
    record_history(  # what the amoa views write
        world.grappe,
        world.cast.owner,
        "Offre AMOA enregistrée",
        world.offre,
        {"Prix global HT": "61234.00", "Prix de journée HT": "912.00"},
    )
    url = reverse("grappe:history", args=[world.grappe.pk])
    pages = {}
    for person in ("owner", "amoa"):
        client = Client()
        client.force_login(world.people[person])
        pages[person] = client.get(url).content.decode()
    assert "61234.00" in pages["owner"]
    assert "61234.00" not in pages["amoa"]
    assert "Offre AMOA enregistrée" not in pages["amoa"]


# An ESMS of another grappe, reached through this grappe's URLs: nobody finds it (404), not even
# the chef de projet of the grappe holding it or the national admin (it is not this grappe's).
OTHER_GRAPPE_ESMS_URLS = ["grappe:esms_edit", "grappe:esms_remove"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", OTHER_GRAPPE_ESMS_URLS)
def test_an_esms_of_another_grappe_is_out_of_reach(name, world):
    other = world.cast.other_grappe
    membership = other.memberships.first() or EsmsMembership.objects.create(
        grappe=other, esms=EsmsFactory()
    )
    url = reverse(name, kwargs={"pk": world.grappe.pk, "membership_id": membership.pk})
    for method, profile in zip(("get", "post"), EXPECTATIONS[name], strict=True):
        for person in world.people:
            if person == "anonymous":
                continue
            # Who may not act on this grappe's ESMS is refused as usual; who may is told the
            # other grappe's ESMS does not exist here.
            status = profile[person] if profile[person] in (403, 404) else 404
            assert request_as(world, person, method, url)[0] == status, (method, person)
    membership.refresh_from_db()
    assert membership.left_on is None
