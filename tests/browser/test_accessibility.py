"""Accessibility (RGAA) smoke test: axe-core on every main page, per kind of user.

The demo grappe (`seed_demo`) gives realistic pages: a plan with late steps, meetings with
overdue actions, submitted and diffused minutes, the AMOA and DUI consultations, the usage
data and the tranches. Each page is scanned with the WCAG 2.0/2.1 A and AA rules and axe's best
practices (heading order, unique landmarks…); any violation, whatever its impact, fails the test,
and every page of the test is scanned before failing so that one run lists everything.
"""

import io
import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from amoa.enums import ObjetConsultation
from amoa.models import Audition, Consultation, ImportReponse, Offre
from candidatures.demo import REGIONAL_2026, REGIONAL_2027
from candidatures.models import Campagne, Candidature
from core.text import plural
from grappe.demo import DEMO_PASSWORD, GRAPPE_NAME, PEOPLE
from grappe.models import Grappe
from indicateurs.enums import StatutTranche
from indicateurs.models import ImportUsage, Tranche
from projets.enums import StatutAction, StatutCompteRendu
from projets.models import Action, CompteRendu, Etape, Jalon, Livrable, Risque
from tests.browser.helpers import navigate_by

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Every impact: the pages are clean of all of them, and should stay so.
BLOCKING = {"critical", "serious", "moderate", "minor"}
# « actif(s) », « créé(e) »: French is written out (core/text.py agrees words with their count).
PARENTHESISED_ENDING = re.compile(r"\w+\((?:s|e|es|x)\)")
# Tables wider than what holds them: clipped inside their scrolling frame, or past the window.
CLIPPED_TABLES = """
[...document.querySelectorAll("table")]
  .filter(t => t.offsetParent !== null)
  .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1
            || t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(t => (t.caption?.innerText || t.querySelector("th")?.innerText || "tableau").trim())
"""
AXE_RUN = f"window.axe ? axe.run({json.dumps(WCAG_AA)}) : null"
WIDE = {"width": 1280, "height": 720}
NARROW = {"width": 390, "height": 844}
# The main pages, kept as pictures at both widths (CI artefacts), each as the person who works
# on it (one picture a page: a screenshot costs as much as the scan).
PICTURED = {
    "accueil": "porteur",
    "grappe": "porteur",
    "esms_ajout": "porteur",
    "plan": "porteur",
    "livrables": "porteur",
    "reunions": "porteur",
    "cr_soumis": "copil1",
    "a_valider": "copil1",
    "amoa_classement": "porteur",
    "dui_classement": "porteur",
    "tableau_grappe": "porteur",
    "tranches": "ars",
    "grappes": "ars",
    "tableau_region": "admin",
    "tableau_national": "admin",
    "campagne": "ars",
    "mise_en_service": "porteur",
    "finances": "porteur",
}


class Scanner:
    """Visits pages, runs axe on each and keeps the blocking violations for one final report."""

    def __init__(self, page, live_server, capture=None):
        self.page = page
        self.live_server = live_server
        self.capture = capture
        self.pictures = 0
        self.person = None
        self.axe = Axe()
        # axe-core (570 kB) comes with every document the browser loads, instead of being sent
        # through Playwright's pipe and evaluated again before each scan.
        page.context.add_init_script(script=self.axe.axe_script)
        self.problems = []
        self.scanned = []

    def login(self, key):
        self.person = key
        self.page.context.clear_cookies()
        self.page.goto(f"{self.live_server.url}{reverse('login')}")
        self.page.get_by_label("Adresse e-mail").fill(PEOPLE[key][0])
        self.page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        navigate_by(self.page, self.page.get_by_role("button", name="Se connecter"))
        assert self.page.get_by_test_id("utilisateur").count() == 1, f"{key} is not signed in"

    def visit(self, label, path, status=200, picture=None):
        # "load" is enough: no page fetches content after loading (no hx-trigger="load").
        response = self.page.goto(f"{self.live_server.url}{path}")
        if response is None or response.status != status:
            status = response.status if response else "aucune réponse"
            self.problems.append(f"{label} ({path}) : HTTP {status}, page non analysée")
            return
        self.check(label, path)
        if picture and self.capture:
            self.picture(label, path, picture)

    def picture(self, label, path, name):
        """The page at 1 280 px and at 390 px, where it must not scroll sideways either."""
        self.pictures += 1
        stem = f"{self.pictures:02d}-{name.replace('_', '-')}"
        self.capture(f"{stem}-1280")
        self.page.set_viewport_size(NARROW)
        try:
            self.check_width(f"{label} à 390 px", path)
            self.capture(f"{stem}-390")
        finally:
            self.page.set_viewport_size(WIDE)

    def check_width(self, label, path):
        # Wide tables scroll inside their own region; the page itself never scrolls sideways.
        width, viewport = self.page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if width > viewport:
            self.problems.append(
                f"{label} ({path}) : la page défile horizontalement ({width} px pour une "
                f"fenêtre de {viewport} px)"
            )

    def check(self, label, path=None):
        """Scan the page as it is now (after a visit or an interaction)."""
        path = path or self.page.url.removeprefix(self.live_server.url)
        self.scanned.append(path)
        self.check_width(label, path)
        # At 1 280 px every table shows whole: none hides columns behind its scroll bar.
        for table in self.page.evaluate(CLIPPED_TABLES):
            self.problems.append(
                f"{label} ({path}) : tableau « {table[:60]} » plus large que la page à "
                f"{self.page.viewport_size['width']} px"
            )
        endings = sorted(set(PARENTHESISED_ENDING.findall(self.page.inner_text("body"))))
        if endings:
            self.problems.append(
                f"{label} ({path}) : accord entre parenthèses {', '.join(endings)} — "
                "écrivez le singulier ou le pluriel (core/text.py)"
            )
        for violation in self.run_axe()["violations"]:
            if violation["impact"] not in BLOCKING:
                continue
            targets = "\n".join(
                f"      - {' '.join(node['target'])} : {node['html'][:160]}"
                for node in violation["nodes"][:10]
            )
            more = len(violation["nodes"]) - 10
            self.problems.append(
                f"{label} ({path}) : {violation['id']} [{violation['impact']}] "
                f"{violation['help']} — {plural(len(violation['nodes']), 'élément')}\n{targets}"
                + (f"\n      … et {plural(more, 'autre')}" if more > 0 else "")
            )

    def run_axe(self):
        """axe's results on the page (what axe_playwright_python's Axe.run returns), injecting
        axe-core first where the page has not got it (a page written by `set_content`)."""
        results = self.page.evaluate(AXE_RUN)
        if results is None:
            self.page.evaluate(self.axe.axe_script)
            results = self.page.evaluate(AXE_RUN)
        return results

    def assert_clean(self):
        assert self.scanned, "aucune page analysée"
        assert not self.problems, (
            f"{plural(len(self.problems), 'problème bloquant', 'problèmes bloquants')} "
            "(axe, WCAG 2.1 A/AA et bonnes pratiques ; largeur, accords) sur "
            f"{plural(len(self.scanned), 'page')} :\n" + "\n".join(self.problems)
        )


@pytest.fixture
def scanner(page, live_server, capture):
    page.set_viewport_size(WIDE)
    return Scanner(page, live_server, capture)


@pytest.fixture
def demo():
    """The demo grappe and the paths of its main pages."""
    call_command("seed_demo", stdout=io.StringIO())
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    pk = grappe.pk
    today = timezone.localdate()
    amoa = Consultation.objects.get(grappe=grappe, objet=ObjetConsultation.AMOA)
    dui = Consultation.objects.get(grappe=grappe, objet=ObjetConsultation.EDITEUR)
    late_action = (
        Action.objects.filter(grappe=grappe, due_on__lt=today, reunion__isnull=False)
        .exclude(statut=StatutAction.FAITE)
        .order_by("due_on")
        .first()
    )
    submitted = CompteRendu.objects.get(reunion__grappe=grappe, statut=StatutCompteRendu.SOUMIS)
    diffused = CompteRendu.objects.filter(
        reunion__grappe=grappe, statut=StatutCompteRendu.DIFFUSE
    ).first()
    late_etape = (
        Etape.objects.filter(plan__grappe=grappe, planned_end__lt=today, actual_end__isnull=True)
        .order_by("ordre")
        .first()
    )
    assert late_action and late_etape, "the demo has no overdue action or late step any more"
    livrable = Livrable.objects.filter(plan__grappe=grappe, versions__isnull=False).first()
    offre_dui = Offre.objects.filter(consultation=dui).order_by("pk").first()
    cadre = ImportReponse.objects.filter(offre=offre_dui).first()
    tranche = (
        Tranche.objects.filter(grappe=grappe, statut=StatutTranche.DUE).first()
        or Tranche.objects.filter(grappe=grappe).first()
    )
    admin = get_user_model().objects.get(email=PEOPLE["admin"][0])
    campagne = Campagne.objects.get(aap__name=REGIONAL_2027)
    instruite = Campagne.objects.get(aap__name=REGIONAL_2026)
    retenue = Candidature.objects.filter(campagne=instruite, convention__isnull=False).first()
    en_cours = Candidature.objects.get(campagne=instruite, statut="deposee")
    urls = {
        "accueil": reverse("home"),
        "grappes": reverse("grappe:list"),
        "grappe_nouvelle": reverse("grappe:create"),
        "grappe": reverse("grappe:detail", args=[pk]),
        "grappe_modifier": reverse("grappe:edit", args=[pk]),
        "historique": reverse("grappe:history", args=[pk]),
        "esms_modifier": reverse(
            "grappe:esms_edit", args=[pk, grappe.memberships.order_by("pk")[0].pk]
        ),
        "esms_ajout": reverse("grappe:esms_add", args=[pk]),
        "roles": reverse("grappe:roles", args=[pk]),
        "copil": reverse("grappe:comite", args=[pk, "copil"]),
        "convention": reverse("grappe:convention", args=[pk]),
        "registre": reverse("grappe:registre"),
        "finess_import": reverse("grappe:finess_import"),
        "plan_type": reverse("projets:reference_guide"),
        "plan": reverse("projets:plan", args=[pk]),
        "etape": reverse("projets:etape", args=[pk, late_etape.pk]),
        "etape_modifier": reverse("projets:etape_edit", args=[pk, late_etape.pk]),
        "jalon": reverse(
            "projets:jalon_decision", args=[pk, Jalon.objects.filter(plan__grappe=grappe)[0].pk]
        ),
        "planning": reverse("projets:timeline", args=[pk]),
        "livrables": reverse("projets:livrables", args=[pk]),
        "livrable": reverse("projets:livrable", args=[pk, livrable.pk]),
        "risques": reverse("projets:risques", args=[pk]),
        "risque_ajout": reverse("projets:risque_create", args=[pk]),
        "risque": reverse(
            "projets:risque_edit", args=[pk, Risque.objects.filter(plan__grappe=grappe)[0].pk]
        ),
        "rapport": reverse("projets:rapport", args=[pk]),
        "reunions": reverse("projets:reunions", args=[pk]),
        "reunion_nouvelle": reverse("projets:reunion_create", args=[pk]),
        "reunion_modifier": reverse("projets:reunion_edit", args=[pk, submitted.reunion_id]),
        "reunion_actions_en_retard": reverse("projets:reunion", args=[pk, late_action.reunion_id]),
        "reunion_cr_soumis": reverse("projets:reunion", args=[pk, submitted.reunion_id]),
        "cr_soumis": reverse("projets:compte_rendu", args=[pk, submitted.reunion_id, submitted.pk]),
        "cr_diffuse": reverse("projets:compte_rendu", args=[pk, diffused.reunion_id, diffused.pk]),
        "bibliotheque": reverse("projets:bibliotheque", args=[pk]),
        "a_valider": reverse("projets:inbox"),
        "mes_actions": reverse("projets:my_actions"),
        "jeton_api": reverse("users:jeton_api"),
        "consultations": reverse("amoa:consultations", args=[pk]),
        "consultation_nouvelle": reverse("amoa:consultation_create", args=[pk]),
        "usages": reverse("indicateurs:usages", args=[pk]),
        "import_usages": reverse(
            "indicateurs:import_detail",
            args=[pk, ImportUsage.objects.filter(grappe=grappe)[0].pk],
        ),
        "saisie": reverse("indicateurs:saisie", args=[pk]),
        "tableau_grappe": reverse("indicateurs:tableau_grappe", args=[pk]),
        "tranches": reverse("indicateurs:tranches", args=[pk]),
        "paiement": reverse("indicateurs:paiement", args=[pk, tranche.pk]),
        "tableau_ars": reverse("indicateurs:tableau_ars"),
        "tableau_region": reverse("indicateurs:tableau_region", args=[grappe.region.code]),
        "tableau_national": reverse("indicateurs:tableau_national"),
        "grille_fonctionnelle": reverse("amoa:grille_fonctionnelle", args=[pk]),
        "etude_marche": reverse("amoa:etude_marche", args=[pk]),
        "solution_nouvelle": reverse("amoa:solution_create", args=[pk]),
        "exigence_nouvelle": reverse("amoa:exigence_create", args=[pk]),
        "preferences": reverse("amoa:preferences", args=[pk]),
        "campagnes": reverse("candidatures:campagnes"),
        "candidature": reverse("candidatures:candidature", args=[pk]),
        "mise_en_service": reverse("projets:mise_en_service", args=[pk]),
        "finances": reverse("finances:grappe", args=[pk]),
        "engagement_nouveau": reverse("finances:engagement_create", args=[pk]),
        "campagne_ouvrir": reverse("candidatures:campagne_create"),
        "campagne": reverse("candidatures:campagne", args=[campagne.pk]),
        "campagne_modifier": reverse("candidatures:campagne_edit", args=[campagne.pk]),
        "campagne_criteres": reverse("candidatures:criteres", args=[campagne.pk]),
        "campagne_instruite": reverse("candidatures:campagne", args=[instruite.pk]),
        "instruction": reverse("candidatures:instruction", args=[instruite.pk, en_cours.pk]),
        "convention_financement": reverse(
            "candidatures:convention", args=[instruite.pk, retenue.pk]
        ),
        "etape_ajout": reverse("projets:etape_add", args=[pk]),
        "mot_de_passe_nouveau": reverse(
            "password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(admin.pk)),
                default_token_generator.make_token(admin),
            ],
        ),
    }
    for key, consultation in (("amoa", amoa), ("dui", dui)):
        args = [pk, consultation.pk]
        offre = Offre.objects.filter(consultation=consultation).order_by("pk").first()
        urls.update(
            {
                f"{key}_consultation": reverse("amoa:consultation", args=args),
                f"{key}_criteres": reverse("amoa:criteres", args=args),
                f"{key}_offre": reverse("amoa:offre", args=[*args, offre.pk]),
                f"{key}_offre_modifier": reverse("amoa:offre_edit", args=[*args, offre.pk]),
                f"{key}_evaluation": reverse("amoa:evaluation", args=args),
                f"{key}_consolidation": reverse("amoa:consolidation", args=args),
                f"{key}_auditions": reverse("amoa:auditions", args=args),
                f"{key}_audition": reverse(
                    "amoa:audition_edit",
                    args=[*args, Audition.objects.filter(offre__consultation=consultation)[0].pk],
                ),
                f"{key}_classement": reverse("amoa:classement", args=args),
            }
        )
    urls.update(
        {
            "offre_nouvelle": reverse("amoa:offre_create", args=[pk, amoa.pk]),
            "cahier": reverse("amoa:cahier", args=[pk, amoa.pk]),
            "cahier_apercu": reverse("amoa:cahier_apercu", args=[pk, amoa.pk]),
            "couverture": reverse("amoa:couverture", args=[pk, dui.pk]),
            "cout_total": reverse("amoa:cout_total", args=[pk, dui.pk]),
            "cadre_import": reverse("amoa:cadre_import", args=[pk, dui.pk, offre_dui.pk]),
            "cadre_import_detail": reverse(
                "amoa:cadre_import_detail", args=[pk, dui.pk, offre_dui.pk, cadre.pk]
            ),
        }
    )
    return urls


def scan_all(scanner, demo, pages):
    for label, name in pages:
        pictured = PICTURED.get(name) == scanner.person
        scanner.visit(label, demo[name], picture=name if pictured else None)


def anonymous_pages(scanner, demo):
    page, live_server = scanner.page, scanner.live_server
    scanner.visit("Accueil, redirigé vers la connexion", demo["accueil"])
    scanner.visit("Nouveau mot de passe", demo["mot_de_passe_nouveau"])
    for label, name in [
        ("Connexion", "login"),
        ("Mot de passe oublié", "password_reset"),
        ("Mot de passe oublié — e-mail envoyé", "password_reset_done"),
        ("Mot de passe modifié", "password_reset_complete"),
    ]:
        scanner.visit(label, reverse(name))
    # The login form with its error message.
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Adresse e-mail").fill(PEOPLE["porteur"][0])
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    navigate_by(page, page.get_by_role("button", name="Se connecter"))
    scanner.check("Connexion — identifiants refusés")


def chef_de_projet_grappe_and_plan_pages(scanner, demo):
    scanner.login("porteur")
    scan_all(
        scanner,
        demo,
        [
            ("Accueil", "accueil"),
            ("Grappe", "grappe"),
            ("Modification de la grappe", "grappe_modifier"),
            ("Historique de la grappe", "historique"),
            ("Ajout d'ESMS", "esms_ajout"),
            ("Modification d'un ESMS", "esms_modifier"),
            ("Rôles", "roles"),
            ("COPIL", "copil"),
            ("Candidature (appel clos)", "candidature"),
            ("Mise en service du DUI", "mise_en_service"),
            ("Finances du projet", "finances"),
            ("Nouvel engagement", "engagement_nouveau"),
            ("Convention", "convention"),
            ("Plan type", "plan_type"),
            ("Plan projet", "plan"),
            ("Étape en retard", "etape"),
            ("Modification d'étape", "etape_modifier"),
            ("Ajout d'étape", "etape_ajout"),
            ("Décision de jalon", "jalon"),
            ("Planning (Gantt)", "planning"),
            ("Livrables", "livrables"),
            ("Livrable", "livrable"),
            ("Risques", "risques"),
            ("Ajout de risque", "risque_ajout"),
            ("Risque", "risque"),
            ("Rapport d'avancement", "rapport"),
        ],
    )


def chef_de_projet_meeting_and_minutes_pages(scanner, demo):
    scanner.login("porteur")
    scan_all(
        scanner,
        demo,
        [
            ("Réunions", "reunions"),
            ("Nouvelle réunion", "reunion_nouvelle"),
            ("Modification de réunion", "reunion_modifier"),
            ("Réunion avec actions en retard", "reunion_actions_en_retard"),
            ("Réunion au compte rendu soumis", "reunion_cr_soumis"),
            ("Compte rendu soumis", "cr_soumis"),
            ("Compte rendu diffusé", "cr_diffuse"),
            ("Bibliothèque des comptes rendus", "bibliotheque"),
            ("À valider", "a_valider"),
            ("Mes actions", "mes_actions"),
            ("Jeton d'API", "jeton_api"),
        ],
    )


def chef_de_projet_amoa_consultation_pages(scanner, demo):
    scanner.login("porteur")
    scan_all(
        scanner,
        demo,
        [
            ("Consultations", "consultations"),
            ("Nouvelle consultation", "consultation_nouvelle"),
            ("Consultation AMOA", "amoa_consultation"),
            ("Critères AMOA", "amoa_criteres"),
            ("Offre AMOA", "amoa_offre"),
            ("Modification d'offre AMOA", "amoa_offre_modifier"),
            ("Nouvelle offre AMOA", "offre_nouvelle"),
            ("Évaluation AMOA", "amoa_evaluation"),
            ("Consolidation AMOA", "amoa_consolidation"),
            ("Auditions AMOA", "amoa_auditions"),
            ("Audition AMOA", "amoa_audition"),
            ("Classement AMOA", "amoa_classement"),
            ("Cahier des charges", "cahier"),
            ("Aperçu du cahier des charges", "cahier_apercu"),
        ],
    )


def chef_de_projet_dui_choice_pages(scanner, demo):
    scanner.login("porteur")
    scan_all(
        scanner,
        demo,
        [
            ("Grille fonctionnelle DUI", "grille_fonctionnelle"),
            ("Nouvelle exigence DUI", "exigence_nouvelle"),
            ("Préférences techniques DUI", "preferences"),
            ("Étude de marché DUI", "etude_marche"),
            ("Nouvelle solution étudiée", "solution_nouvelle"),
            ("Consultation DUI", "dui_consultation"),
            ("Critères DUI", "dui_criteres"),
            ("Offre DUI", "dui_offre"),
            ("Évaluation DUI", "dui_evaluation"),
            ("Consolidation DUI", "dui_consolidation"),
            ("Classement DUI", "dui_classement"),
            ("Couverture fonctionnelle DUI", "couverture"),
            ("Coût total DUI", "cout_total"),
            ("Import du cadre de réponse", "cadre_import"),
            ("Rapport d'import du cadre de réponse", "cadre_import_detail"),
        ],
    )


def chef_de_projet_indicator_pages(scanner, demo):
    scanner.login("porteur")
    scan_all(
        scanner,
        demo,
        [
            ("Import des données d'usage", "usages"),
            ("Rapport d'import d'usage", "import_usages"),
            ("Saisie des données d'usage", "saisie"),
            ("Tableau de bord de la grappe", "tableau_grappe"),
            ("Tranches", "tranches"),
        ],
    )


def copil_member_pages(scanner, demo):
    scanner.login("copil1")
    scan_all(
        scanner,
        demo,
        [
            ("Accueil", "accueil"),
            ("À valider", "a_valider"),
            ("Compte rendu à valider", "cr_soumis"),
            ("Réunion avec actions en retard", "reunion_actions_en_retard"),
            ("Mes actions", "mes_actions"),
            ("Évaluation AMOA", "amoa_evaluation"),
            ("Classement AMOA", "amoa_classement"),
            ("Classement DUI", "dui_classement"),
            ("Tableau de bord de la grappe", "tableau_grappe"),
        ],
    )


def amoa_consultant_and_dui_referent_pages(scanner, demo):
    scanner.login("amoa")
    scan_all(
        scanner,
        demo,
        [
            ("AMOA — accueil", "accueil"),
            ("AMOA — plan projet", "plan"),
            ("AMOA — livrables", "livrables"),
            ("AMOA — réunions", "reunions"),
            ("AMOA — compte rendu diffusé", "cr_diffuse"),
            ("AMOA — à valider", "a_valider"),
            ("AMOA — mes actions", "mes_actions"),
        ],
    )
    scanner.login("referent")
    scan_all(
        scanner,
        demo,
        [
            ("Référente DUI — mes actions", "mes_actions"),
            ("Référente DUI — saisie des données d'usage", "saisie"),
        ],
    )


def ars_agent_pages(scanner, demo):
    scanner.login("ars")
    scan_all(
        scanner,
        demo,
        [
            ("Accueil", "accueil"),
            ("Grappes", "grappes"),
            ("Grappe", "grappe"),
            ("Tableau de bord ARS", "tableau_ars"),
            ("Tableau de bord de la grappe", "tableau_grappe"),
            ("Tranches", "tranches"),
            ("Paiement d'une tranche", "paiement"),
            ("Appels à projets", "campagnes"),
            ("Appel à projets ouvert", "campagne"),
            ("Appel — dates et enveloppe", "campagne_modifier"),
            ("Appel — critères et pièces", "campagne_criteres"),
            ("Appel instruit — classement", "campagne_instruite"),
            ("Instruction d'un dossier", "instruction"),
            ("Convention de financement", "convention_financement"),
        ],
    )
    # The error pages people meet: a grappe they may not change (403), an unknown address (404).
    grappe = demo["grappe"]
    scanner.visit("Accès refusé", f"{grappe}modifier/", status=403)
    scanner.visit("Page introuvable", "/grappes/999999/", status=404)


def national_admin_pages(scanner, demo):
    scanner.login("admin")
    scan_all(
        scanner,
        demo,
        [
            ("Accueil de l'administratrice nationale", "accueil"),
            ("Grappes", "grappes"),
            ("Nouvelle grappe", "grappe_nouvelle"),
            ("Registre FINESS", "registre"),
            ("Import FINESS", "finess_import"),
            ("Tableau de bord national", "tableau_national"),
            ("Tableau de bord régional", "tableau_region"),
            ("Ouvrir un appel à projets", "campagne_ouvrir"),
        ],
    )


# Every main page, as each kind of user meets it. The scans are split in four tests, each on its
# own seeded demo: seeding costs a few seconds, but a single test of every page was the suite's
# longest path (about 90 s on one worker while the others had finished).
SCANS = {
    "anonyme-et-plan": (
        anonymous_pages,
        chef_de_projet_grappe_and_plan_pages,
        chef_de_projet_meeting_and_minutes_pages,
    ),
    "consultations": (chef_de_projet_amoa_consultation_pages, chef_de_projet_dui_choice_pages),
    "indicateurs-copil-amoa": (
        chef_de_projet_indicator_pages,
        copil_member_pages,
        amoa_consultant_and_dui_referent_pages,
    ),
    "ars-et-national": (ars_agent_pages, national_admin_pages),
}


@pytest.mark.parametrize("scans", SCANS.values(), ids=SCANS.keys())
def test_every_kind_of_user_meets_accessible_pages(scanner, demo, scans):
    """The pages of a group of users on a seeded demo; one report lists every problem of every
    page of the group."""
    for scan in scans:
        scan(scanner, demo)
    scanner.assert_clean()


def test_the_report_lists_every_blocking_violation(page, live_server):
    """The failure message names the page, the rule, its help text and the nodes."""
    scanner = Scanner(page, live_server)
    page.set_content(
        '<html lang="fr"><head><title>Essai</title></head><body><main>'
        '<p style="color:#bbb;background:#fff">Texte trop pâle</p>'
        '<div class="defile" style="overflow:auto;height:2rem"><p style="height:5rem">'
        "Contenu défilant</p></div></main></body></html>"
    )
    scanner.check("Page d'essai", "/essai/")
    with pytest.raises(AssertionError) as failure:
        scanner.assert_clean()
    message = str(failure.value)
    assert "Page d'essai (/essai/) : color-contrast [serious]" in message
    assert "scrollable-region-focusable [serious]" in message
    assert '- div : <div class="defile"' in message


def test_the_report_names_parenthesised_endings_and_clipped_tables(page, live_server):
    """A « (s) » and a table wider than its frame at 1 280 px each fail the page."""
    page.set_viewport_size(WIDE)
    scanner = Scanner(page, live_server)
    page.set_content(
        '<html lang="fr"><head><title>Essai</title></head><body><main>'
        "<p>17 ESMS actif(s), 2 grappes.</p>"
        '<div style="overflow-x:auto;width:600px"><table style="width:900px">'
        "<caption>Établissements</caption><tr><th>Nom</th></tr></table></div>"
        '<div style="width:600px"><table style="width:500px"><caption>Étroit</caption>'
        "<tr><th>Nom</th></tr></table></div></main></body></html>"
    )
    scanner.check("Page d'essai", "/essai/")
    message = "\n".join(scanner.problems)
    assert "accord entre parenthèses actif(s)" in message
    assert "tableau « Établissements » plus large que la page à 1280 px" in message
    assert "Étroit" not in message
