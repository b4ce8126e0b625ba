"""Who may reach every URL of the project: the expectations of tests/test_permission_matrix.py.

Derived from the apps' perms.py (grappe, projets, amoa, indicateurs), not from what the views
happen to do. Each URL name maps to (profile for GET, profile for POST or None); a profile gives
the expected outcome for every person of the cast:

- an HTTP status (200, 302, 401, 403, 404, 405…): exactly that status;
- LOGIN: a redirect to the login page (/connexion/?next=…);
- OK: the person may act: anything but a refusal (401/403/404/405), the login page or a crash
  (5xx). Used for writes, where an empty POST is not a valid submission of any form: the view
  answers with the form and its errors (200) or a redirect, but never a refusal.

A new URL without an entry fails the test: decide who may use it and add it here.

HIDDEN_MEETING_EXPECTATIONS (at the end) is the row of the objects of a hidden meeting: the
meeting URLs again, pointed at a comité de sélection's meeting, its action, document, minutes.
"""

LOGIN = "login"
OK = "ok"

PERSONS = (
    "anonymous",  # not signed in
    "stranger",  # chef de projet of another grappe, in another region
    "ars_other",  # ARS agent of another region
    "member",  # référent métier of the grappe (reader, not a feeder of usage data)
    "copil",  # voting COPIL member of the grappe, no other role
    "ars",  # ARS agent of the grappe's region
    "owner",  # chef de projet of the grappe
    "amoa",  # AMOA consultant of the grappe (an editor of its project, a possible candidate)
    "evaluator",  # voting member of the comité de sélection only (scores the offers)
    "admin",  # national admin (is_staff)
)

# Names not tested here: the Django admin has its own permission system (is_staff).
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES = set()


def profile(default, **people):
    return {person: people.get(person, default) for person in PERSONS}


def _signed_in(outcome, anonymous=LOGIN, **people):
    """Every signed-in person gets `outcome` unless named."""
    return profile(outcome, anonymous=anonymous, **people)


# --- Pages of one grappe (grappe.perms.can_view_grappe: Grappe.objects.for_user) --------------


def read(ok=200):
    """Whoever sees the grappe: its people, its comités, its region's ARS agents, the admin;
    404 to everyone else (strangers learn nothing)."""
    return _signed_in(ok, stranger=404, ars_other=404)


def edit(ok=OK):
    """grappe.perms.can_edit_grappe / projets.perms.can_edit_plan: chef de projet, AMOA, admin;
    other readers 403."""
    return {**read(ok), "member": 403, "copil": 403, "ars": 403, "evaluator": 403}


def decide(ok=OK):
    """grappe.perms.can_decide_composition: the grappe's identity and who is in it (its form,
    adding, releasing an ESMS, removing an OG) are the chef de projet's and the admin's. The
    AMOA consultant, an editor who assists the chef de projet, reads them but gets 403."""
    return {**edit(ok), "amoa": 403}


def manage_people(ok=OK):
    """grappe.perms.can_manage_people: chef de projet, admin (not the AMOA)."""
    return {**edit(ok), "amoa": 403}


def feed(ok=OK):
    """indicateurs.perms.can_feed_usage: chef de projet, AMOA, référents DUI / fonctionnel,
    admin — the cast's member is a référent métier: 403."""
    return edit(ok)


def pay(ok=OK):
    """indicateurs.perms.can_record_payment: the region's ARS agents, the admin."""
    return {**edit(403), "ars": ok, "admin": ok}


def comment(ok=OK):
    """projets.perms.can_comment (or can_give_avis): editors and the COPIL."""
    return {**edit(ok), "copil": ok}


def give_avis(ok=OK):
    """projets.perms.can_give_avis: voting COPIL members only."""
    return {**read(403), "copil": ok}


# --- The AMOA call for tenders (amoa.perms): the grappe's AMOA consultants get 403 -----------


def amoa_read(ok=200):
    """amoa.perms.can_view_consultation: readers of the grappe except its AMOA consultants, who
    know the grappe and are told why (403 with the reason: they may be candidates); strangers
    to the grappe still get 404."""
    return {**read(ok), "amoa": 403}


def amoa_edit(ok=OK):
    """amoa.perms.can_edit_consultation: chef de projet, admin."""
    return {**amoa_read(ok), "member": 403, "copil": 403, "ars": 403, "evaluator": 403}


def amoa_decide(ok=OK):
    """amoa.perms.can_decide: chef de projet, admin, voting members of the comité de sélection."""
    return {**amoa_edit(ok), "evaluator": ok}


def amoa_score(ok=OK):
    """amoa.perms.can_score: voting members of the comité de sélection only."""
    return {**amoa_read(403), "evaluator": ok}


def amoa_reopen_grid(ok=OK):
    """amoa.perms.can_reopen_grid: the comité de sélection's president (none in the cast), the
    admin."""
    return {**amoa_read(403), "admin": ok}


def amoa_scores_visible(ok=200):
    """amoa.perms.can_see_scores: readers of the call, but not an evaluator who has not
    submitted their own grid yet (the cast's evaluator has not)."""
    return {**amoa_read(ok), "evaluator": 403}


# --- The grappe's finances (finances.perms) ----------------------------------------------------


def finances_read(ok=200):
    """finances.perms.can_view_finances: the editors, the COPIL, the region's ARS agents, the
    admin (and the directions of the coopérateur OGs, none in the cast); the grappe's other
    people see the grappe, not its money: 403."""
    return {**read(ok), "member": 403, "evaluator": 403}


def finances_edit(ok=OK):
    """finances.perms.can_edit_finances (grappe.perms.can_edit_grappe): chef de projet, AMOA,
    admin; the other readers 403."""
    return edit(ok)


# --- Pages outside any grappe ------------------------------------------------------------------

PUBLIC = profile(200)
SIGNED_IN = _signed_in(200)
NOT_GET = _signed_in(405)  # POST-only views
# grappe.perms.can_create_grappe: people of an OG (the owner is the porteur's référent), admin.
CREATE_GRAPPE = _signed_in(403, owner=OK, admin=OK)
# grappe.perms.can_decide_join: the ESMS's OG direction (nobody in the cast), admin; the
# requests of others are not even found (404).
DECIDE_JOIN = _signed_in(404, admin=OK)
# grappe.perms.can_browse_registre: project teams (an editor role on any grappe), admin.
REGISTRE = _signed_in(403, stranger=200, owner=200, amoa=200, admin=200)
# grappe.perms.can_import_finess: national admin.
ADMIN_ONLY = _signed_in(403, admin=200)
# indicateurs.perms.can_view_region for the grappe's region (code 32).
REGION = _signed_in(403, ars=200, admin=200)
# The ARS home dashboard: ARS agents are sent to their region, the admin to the national view.
ARS_HOME = _signed_in(403, ars=302, ars_other=302, admin=302)

# candidatures.perms: a published call is read by every signed-in person; ARS agents open one
# (on an AAP of their region) and the admin; the AAP's region's agents and the admin set it up.
OPEN_CALL = _signed_in(403, ars=OK, ars_other=OK, admin=OK)
MANAGE_CALL = _signed_in(403, ars=OK, admin=OK)
# candidatures.perms.can_follow_instruction: the filed dossiers are invisible to the others.
INSTRUCT = _signed_in(404, ars=200, admin=200)

# --- API (DRF, token authentication: anonymous → 401) -----------------------------------------


def api(view):
    return {**view, "anonymous": 401}


API_NOT_GET = api(_signed_in(405))
# POST /api/v1/usages/: people who feed some grappe (chef de projet here or elsewhere, AMOA,
# admin) get a 400 for an empty body; everyone else 403.
API_USAGES = api(_signed_in(403, stranger=400, owner=400, amoa=400, admin=400))


EXPECTATIONS = {
    # ---- core, authentication -----------------------------------------------------------------
    "home": (_signed_in(200), None),
    "sante": (PUBLIC, None),
    "robots_txt": (PUBLIC, None),
    "favicon": (profile(301), None),
    "login": (profile(302, anonymous=200), None),
    "logout": (NOT_GET, _signed_in(302)),
    "password_reset": (PUBLIC, None),
    "password_reset_done": (PUBLIC, None),
    "password_reset_confirm": (PUBLIC, None),
    "password_reset_complete": (PUBLIC, None),
    # One's own API tokens: an empty POST answers the form and its errors; anybody's token but
    # one's own does not exist (the world's token is the chef de projet's).
    "users:jeton_api": (SIGNED_IN, _signed_in(200)),
    "users:revoquer_jeton": (NOT_GET, _signed_in(404, owner=302)),
    "api-schema": (PUBLIC, None),
    "api-docs": (PUBLIC, None),
    # ---- calls for projects ------------------------------------------------------------------
    "candidatures:campagnes": (SIGNED_IN, None),
    "candidatures:campagne_create": (OPEN_CALL, OPEN_CALL),
    "candidatures:campagne": (SIGNED_IN, None),
    "candidatures:campagne_edit": (MANAGE_CALL, MANAGE_CALL),
    "candidatures:criteres": (MANAGE_CALL, MANAGE_CALL),
    # candidatures.perms.can_view_candidature / can_edit_candidature: the grappe's readers but
    # its region's ARS agents until it is filed (403, told why); the chef de projet and the
    # admin prepare it.
    "candidatures:candidature": ({**read(), "ars": 403}, decide()),
    "candidatures:candidature_sections": (decide(200), decide()),
    # Instruction (ARS), candidatures.perms / candidatures/instruction.py. A filed dossier is the
    # campaign's managers' (the region's ARS agents, the admin): 404 to everyone else, its
    # grappe's people included. The world's dossier: the ARS agent is its designated instructor
    # and has not scored it (blind: no consensus page), the admin is not designated (no grid).
    "candidatures:instructeurs": (MANAGE_CALL, MANAGE_CALL),
    "candidatures:instruction": (INSTRUCT, _signed_in(404, ars=OK, admin=403)),
    # Any manager of the campaign declares a conflict, designated instructor or not.
    "candidatures:conflit": (NOT_GET, _signed_in(404, ars=OK, admin=OK)),
    "candidatures:consensus": (
        _signed_in(404, ars=403, admin=200),
        _signed_in(404, ars=403, admin=OK),
    ),
    "candidatures:demande_pieces": (INSTRUCT, _signed_in(404, ars=OK, admin=OK)),
    # On the world's decided dossier (another grappe of the region, retained): its letter is
    # the managers' and that grappe's readers' (none in the cast).
    # Its convention is prepared: the decision no longer changes (403 with the reason).
    "candidatures:decision": (INSTRUCT, _signed_in(404, ars=403, admin=403)),
    "candidatures:lettre_decision": (INSTRUCT, None),
    # The porteur's side of the cast's draft: pieces (read like the dossier), filing; the
    # national admin alone grants the non-redundancy derogation (the others may see the grappe:
    # 403, or not: 404).
    "candidatures:piece_upload": (NOT_GET, decide()),
    "candidatures:piece_download": ({**read(), "ars": 403}, None),
    "candidatures:deposer": (NOT_GET, decide()),
    "candidatures:derogation": (NOT_GET, {**read(403), "admin": OK}),
    # candidatures.engagements: only a direction of a coopérateur OG commits it (nobody in the
    # cast: the owner is the porteur's référent); the others who may see the grappe get 403.
    "candidatures:engagement": (NOT_GET, read(403)),
    # Another grappe's filed dossier: its accusé is read by the region's ARS and the admin.
    "candidatures:accuse": (_signed_in(404, ars=200, admin=200), None),
    # The retained dossier's convention (prepared, not signed): the campaign's managers.
    "candidatures:convention": (INSTRUCT, _signed_in(404, ars=OK, admin=OK)),
    "candidatures:convention_signer": (NOT_GET, _signed_in(404, ars=OK, admin=OK)),
    "candidatures:convention_pdf": (INSTRUCT, None),
    # ---- grappe -------------------------------------------------------------------------------
    "grappe:list": (SIGNED_IN, None),
    "grappe:create": (CREATE_GRAPPE, CREATE_GRAPPE),
    "grappe:adhesions": (SIGNED_IN, None),
    "grappe:adhesion_decide": (NOT_GET, DECIDE_JOIN),
    "grappe:detail": (read(), None),
    "grappe:edit": (decide(200), decide()),
    "grappe:history": (read(), None),
    "grappe:fiche_pdf": (read(), None),
    "grappe:esms_add": (decide(200), decide()),
    "grappe:esms_lookup": (decide(200), None),
    # An ESMS's own data: the editors, the AMOA consultant included (its project type and entry
    # date are shown to those who decide the composition only).
    "grappe:esms_edit": (edit(200), edit()),
    "grappe:esms_remove": (decide(200), decide()),
    "grappe:og_remove": (decide(200), decide()),
    "grappe:roles": (read(), manage_people()),
    "grappe:role_remove": (manage_people(200), manage_people()),
    "grappe:comite": (read(), manage_people()),
    "grappe:comite_member_remove": (manage_people(200), manage_people()),
    "grappe:convention": (read(), edit()),
    "grappe:convention_pdf": (read(), None),
    "grappe:registre": (REGISTRE, None),
    "grappe:finess_import": (ADMIN_ONLY, ADMIN_ONLY),
    "grappe:finess_import_detail": (ADMIN_ONLY, {**ADMIN_ONLY, "admin": OK}),
    # ---- projets: plan, deliverables, follow-up ----------------------------------------------
    "projets:reference_guide": (SIGNED_IN, None),
    "projets:reference_etape": (SIGNED_IN, None),
    "projets:plan": (read(), None),
    "projets:plan_create": (edit(302), edit()),  # the plan exists: back to it
    "projets:etape_add": (edit(200), edit()),
    "projets:etape": (read(), None),
    "projets:etape_edit": (edit(200), edit()),
    "projets:jalon_decision": (edit(200), edit()),
    "projets:mise_en_service": (decide(200), decide()),
    "projets:livrables": (read(), None),
    "projets:livrable": (read(), edit()),
    "projets:version_download": (read(), None),
    "projets:version_submit": (NOT_GET, edit()),
    "projets:version_avis": (NOT_GET, comment()),
    "projets:inbox": (SIGNED_IN, None),
    "projets:timeline": (read(), None),
    "projets:baseline_create": (NOT_GET, edit()),
    "projets:risques": (read(), edit()),
    "projets:risque_create": (edit(200), edit()),
    "projets:risque_edit": (edit(200), edit()),
    "projets:rapport": (read(), None),
    "projets:rapport_pdf": (read(), None),
    # ---- projets: meetings, actions, minutes -------------------------------------------------
    "projets:reunions": (read(), None),
    "projets:reunion_create": (edit(200), edit()),
    "projets:reunion": (read(), None),
    "projets:reunion_edit": (edit(200), edit()),
    "projets:reunion_invite": (NOT_GET, edit()),
    "projets:reunion_ics": (read(), None),
    "projets:reunion_attendance": (NOT_GET, edit()),
    "projets:reunion_document": (read(), None),
    "projets:decision_add": (NOT_GET, edit()),
    "projets:action_add": (NOT_GET, edit()),
    # The action belongs to the member: its owner may change its status, besides the editors.
    "projets:action_update": (NOT_GET, {**edit(), "member": OK}),
    "projets:my_actions": (SIGNED_IN, None),
    # Reached by its secret token only (calendar apps cannot sign in).
    "projets:calendar_feed": (PUBLIC, None),
    "projets:calendar_feed_reset": (NOT_GET, _signed_in(302)),
    # Minutes exist: readers are sent to them, editors to the draft.
    "projets:compte_rendu_create": (read(302), edit()),
    "projets:compte_rendu": (read(), None),
    "projets:compte_rendu_edit": (edit(200), edit()),
    "projets:compte_rendu_submit": (NOT_GET, edit()),
    "projets:compte_rendu_avis": (NOT_GET, give_avis()),
    "projets:compte_rendu_pdf": (read(), None),
    "projets:compte_rendu_new_version": (NOT_GET, edit()),
    "projets:bibliotheque": (read(), None),
    # ---- amoa ---------------------------------------------------------------------------------
    "amoa:consultations": (amoa_read(), None),
    "amoa:consultation_create": (amoa_edit(200), amoa_edit()),
    "amoa:consultation": (amoa_read(), None),
    "amoa:consultation_edit": (amoa_edit(200), amoa_edit()),
    "amoa:criteres": (amoa_read(), amoa_edit()),
    "amoa:offre_create": (amoa_edit(200), amoa_edit()),
    "amoa:offre": (amoa_read(), amoa_edit()),
    "amoa:offre_edit": (amoa_edit(200), amoa_edit()),
    "amoa:piece_download": (amoa_read(), None),
    "amoa:piece_delete": (NOT_GET, amoa_edit()),
    # An elimination is hidden from an evaluator yet to submit: they do not record one either.
    "amoa:indispensable": (NOT_GET, {**amoa_decide(), "evaluator": 403}),
    "amoa:evaluation": (amoa_score(200), amoa_score()),
    "amoa:conflit": (NOT_GET, amoa_score()),
    "amoa:evaluation_reopen": (NOT_GET, amoa_reopen_grid()),
    "amoa:consolidation": (amoa_read(), None),
    # can_decide, and the scores must be visible to them: not to an evaluator yet to submit.
    "amoa:consensus": (NOT_GET, {**amoa_decide(), "evaluator": 403}),
    "amoa:auditions": (amoa_read(), amoa_edit()),
    "amoa:audition_edit": (amoa_read(), amoa_edit()),
    "amoa:classement": (amoa_read(), amoa_edit()),
    "amoa:grille": (
        amoa_scores_visible(),
        None,
    ),
    "amoa:rapport": (amoa_scores_visible(), None),
    "amoa:lettre": (amoa_edit(302), None),  # no winner chosen yet: back to the ranking
    "amoa:roles_amoa": (NOT_GET, amoa_edit()),
    "amoa:consultation_reopen": (NOT_GET, amoa_edit()),  # no choice yet: back with a message
    "amoa:cahier": (amoa_read(), amoa_edit()),
    "amoa:cahier_apercu": (amoa_read(), None),
    "amoa:cahier_pdf": (amoa_read(302), None),  # incomplete cahier: back to the preview
    # ---- amoa: choosing the DUI (grid, market study, éditeur consultation) -------------------
    # The grid and the market study follow amoa.perms like the call: readers except the AMOA
    # consultants; the chef de projet and the admin change them.
    "amoa:grille_fonctionnelle": (amoa_read(), None),
    "amoa:grille_create": (NOT_GET, amoa_edit()),
    "amoa:exigence_create": (amoa_edit(200), amoa_edit()),
    "amoa:exigence_edit": (amoa_edit(200), amoa_edit()),
    "amoa:exigence_delete": (NOT_GET, amoa_edit()),
    "amoa:domaine_create": (amoa_edit(200), amoa_edit()),
    "amoa:preferences": (amoa_read(), amoa_edit()),
    "amoa:etude_marche": (amoa_read(), None),
    "amoa:solution_create": (amoa_edit(200), amoa_edit()),
    "amoa:solution_edit": (amoa_edit(200), amoa_edit()),
    "amoa:solution_delete": (NOT_GET, amoa_edit()),
    "amoa:cadre_export": (amoa_read(), None),
    "amoa:cadre_import": (amoa_read(), amoa_edit()),
    "amoa:cadre_import_detail": (amoa_read(), None),
    "amoa:cadre_import_apply": (NOT_GET, amoa_edit()),
    "amoa:couverture": (amoa_read(), None),
    "amoa:cout_total": (amoa_read(), None),
    "amoa:rapport_choix": (amoa_scores_visible(), None),
    # ---- indicateurs --------------------------------------------------------------------------
    "indicateurs:modele": (SIGNED_IN, None),
    "indicateurs:usages": (read(), feed()),
    "indicateurs:import_detail": (read(), feed()),
    "indicateurs:import_progression": (read(), None),
    "indicateurs:saisie": (feed(200), feed()),
    "indicateurs:tranches": (read(), None),
    "indicateurs:paiement": (pay(200), pay()),
    "indicateurs:tableau_grappe": (read(), None),
    "indicateurs:tableau_grappe_pdf": (read(), None),
    "indicateurs:tableau_grappe_csv": (read(), None),
    "indicateurs:tableau_grappe_xlsx": (read(), None),
    "indicateurs:tableau_ars": (ARS_HOME, None),
    "indicateurs:tableau_region": (REGION, None),
    "indicateurs:tableau_region_pdf": (REGION, None),
    "indicateurs:tableau_national": (ADMIN_ONLY, None),
    # ---- API ----------------------------------------------------------------------------------
    "api-consultation-classement": (api({**amoa_read(), "evaluator": 404}), None),
    "api-grappe-indicateurs": (api(read()), None),
    # ---- finances -----------------------------------------------------------------------------
    "finances:grappe": (finances_read(), None),
    "finances:bilan_pdf": (finances_read(), None),
    "finances:export_xlsx": (finances_read(), None),
    "finances:engagement_create": (finances_edit(200), finances_edit()),
    "finances:engagement": (finances_read(), None),
    "finances:engagement_edit": (finances_edit(200), finances_edit()),
    "finances:engagement_document": (finances_read(), None),
    "finances:facture_create": (finances_edit(200), finances_edit()),
    "finances:facture_edit": (finances_edit(200), finances_edit()),
    "finances:facture_fichier": (finances_read(), None),
    "finances:engagement_delete": (finances_edit(200), finances_edit()),
    "finances:facture_delete": (finances_edit(200), finances_edit()),
    "finances:reversement_delete": (finances_edit(200), finances_edit()),
    "finances:financements_propres": (finances_edit(200), finances_edit()),
    "finances:cle_repartition": (finances_edit(200), finances_edit()),
    "finances:reversement_create": (finances_edit(200), finances_edit()),
    "finances:import_factures": (finances_edit(200), finances_edit()),
    "finances:import_factures_modele": (finances_edit(200), None),
    "finances:import_factures_detail": (finances_edit(200), finances_edit()),
    "api-grappe-finances": (api(finances_read()), None),
    # candidatures.api.visible_candidatures: the managers all the call's dossiers, a grappe's
    # people their own (the cast's draft); nobody else learns of them (404).
    "api-aap-candidatures": (api(read()), None),
    "api-usages": (API_NOT_GET, API_USAGES),
}


# --- Objects of a hidden meeting ---------------------------------------------------------------
# The same URLs of a meeting, pointed at a meeting of the comité de sélection and at what was
# born in it (its action, document, minutes): the grappe's AMOA consultant, a possible candidate
# to the AMOA call, gets 404 as for the meeting itself (projets.perms.hidden_reunion_kinds);
# everyone else as in EXPECTATIONS. A new URL of a meeting's object must be added here.


def hidden_from_amoa(profile):
    """`profile` with the AMOA consultant refused (404); a method refused first stays 405."""
    if profile is None:
        return None
    return {**profile, "amoa": 405 if profile["amoa"] == 405 else 404}


HIDDEN_MEETING_URLS = [
    "projets:reunion",
    "projets:reunion_edit",
    "projets:reunion_invite",
    "projets:reunion_ics",
    "projets:reunion_attendance",
    "projets:reunion_document",
    "projets:decision_add",
    "projets:action_add",
    # The action belongs to the member: they and the editors change its status, not the AMOA.
    "projets:action_update",
    "projets:compte_rendu_create",
    "projets:compte_rendu",
    "projets:compte_rendu_edit",
    "projets:compte_rendu_submit",
    "projets:compte_rendu_avis",
    "projets:compte_rendu_pdf",
    "projets:compte_rendu_new_version",
]
HIDDEN_MEETING_EXPECTATIONS = {
    name: tuple(hidden_from_amoa(profile) for profile in EXPECTATIONS[name])
    for name in HIDDEN_MEETING_URLS
}
