"""iCalendar generation (projets/ics.py) checked against RFC 5545: required properties, CRLF,
folding at 75 octets without splitting a UTF-8 character, TEXT escaping, UTC times, METHOD.

The calendar is parsed back with a small unfolding parser written here (no icalendar package)."""

import datetime
import re

import pytest
from django.conf import settings

from projets import ics
from projets.enums import Presence, TypeReunion
from projets.models import Participant, PointOrdreDuJour
from tests.projets.factories import ReunionFactory

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=2))  # summer time in Paris
LONG_TITLE = (
    "Comité de pilotage n°3 — arbitrage du go / no go sur l'appel d'offres, "
    "choix de l'éditeur ; calendrier de déploiement à valider (ESMS « Les Tilleuls »)"
)


# ---------------------------------------------------------------------------------------------
# A small RFC 5545 reader, for the tests only
# ---------------------------------------------------------------------------------------------


def unfold(content):
    """Physical lines → logical content lines (§3.1: CRLF followed by one space or tab)."""
    assert content.endswith("\r\n")
    return re.sub(r"\r\n[ \t]", "", content).split("\r\n")[:-1]


def split_line(line):
    """'NAME;P1=v;P2="a:b":value' → (NAME, {P1: v, P2: a:b}, value)."""
    head, in_quotes = None, False
    for index, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            head, value = line[:index], line[index + 1 :]
            break
    assert head is not None, line
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    name, params = parts[0], {}
    for part in parts[1:]:
        key, _, param = part.partition("=")
        params[key] = param[1:-1] if param.startswith('"') else param
    return name, params, value


def unescape(value):
    return re.sub(
        r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value, flags=re.DOTALL
    )


def parse(content):
    """{"VCALENDAR": [(name, params, value)], "VEVENT": [[...], ...]}"""
    calendar, events, current = [], [], None
    for line in unfold(content):
        name, params, value = split_line(line)
        if name == "BEGIN" and value == "VEVENT":
            current = []
        elif name == "END" and value == "VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current.append((name, params, value))
        elif name not in ("BEGIN", "END"):
            calendar.append((name, params, value))
    return {"VCALENDAR": calendar, "VEVENT": events}


def props(lines, name):
    return [(params, value) for prop, params, value in lines if prop == name]


def value_of(lines, name):
    found = props(lines, name)
    assert len(found) == 1, f"{name}: {found}"
    return found[0][1]


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def reunion(cast):
    reunion = ReunionFactory(
        grappe=cast.grappe,
        titre=LONG_TITLE,
        starts_at=datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS),
        ends_at=datetime.datetime(2026, 6, 15, 12, 30, tzinfo=PARIS),
        lieu="Salle du conseil, 3 rue Nationale; Lille",
        lien_visio="https://visio.exemple.fr/copil-3",
        created_by=cast.owner,
    )
    Participant.objects.create(reunion=reunion, user=cast.copil, presence=Presence.PRESENT)
    Participant.objects.create(reunion=reunion, user=cast.member)
    Participant.objects.create(
        reunion=reunion, name="Dupont, Jean; cabinet AMOA", email="jean.dupont@conseil.fr"
    )
    PointOrdreDuJour.objects.create(
        reunion=reunion, ordre=1, titre="Bilan, risques; suite", presenter="AMOA", duree_minutes=90
    )
    PointOrdreDuJour.objects.create(reunion=reunion, ordre=2, titre="Questions diverses")
    return reunion


NOW = datetime.datetime(2026, 6, 1, 9, 30, 15, tzinfo=datetime.UTC)


# ---------------------------------------------------------------------------------------------
# Primitives
# ---------------------------------------------------------------------------------------------


def test_escape_text():
    assert ics.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert ics.escape_text("Colons: stay") == "Colons: stay"
    assert ics.escape_text(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Claire Martin", "Claire Martin"),
        ("Martin, Claire", '"Martin, Claire"'),
        ("mailto:a@b.fr", '"mailto:a@b.fr"'),
        ('Le "chef"\nde projet', "Le chefde projet"),
    ],
)
def test_param_values_are_quoted_when_needed(value, expected):
    assert ics.param_value(value) == expected


def test_fold_keeps_short_lines_and_splits_at_75_octets():
    assert ics.fold("A" * 75) == "A" * 75
    folded = ics.fold("A" * 76)
    assert folded == "A" * 75 + "\r\n A"
    long = ics.fold("B" * 300)
    assert all(len(line.encode()) <= 75 for line in long.split("\r\n"))
    assert long.replace("\r\n ", "") == "B" * 300


def test_fold_never_splits_a_multibyte_character():
    # 74 ASCII octets, then "é" (2 octets) would end at octet 76: it goes to the next line.
    line = "X" * 74 + "é" + "—" * 40
    folded = ics.fold(line)
    physical = folded.encode("utf-8").split(b"\r\n")
    assert physical[0] == b"X" * 74
    for chunk in physical:
        assert len(chunk) <= 75
        chunk.decode("utf-8")  # raises if a character was cut
    assert folded.replace("\r\n ", "") == line


def test_utc_times():
    assert ics.utc(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS)) == "20260615T080000Z"
    winter = datetime.datetime(
        2026, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    assert ics.utc(winter) == "20260115T090000Z"


# ---------------------------------------------------------------------------------------------
# The invitation (METHOD:REQUEST)
# ---------------------------------------------------------------------------------------------


def test_invitation_has_every_required_property(reunion, cast):
    content = ics.invitation(reunion, now=NOW)
    parsed = parse(content)
    calendar = parsed["VCALENDAR"]
    assert value_of(calendar, "VERSION") == "2.0"
    assert value_of(calendar, "PRODID") == ics.PRODID
    assert value_of(calendar, "CALSCALE") == "GREGORIAN"
    assert value_of(calendar, "METHOD") == "REQUEST"
    assert content.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert content.endswith("END:VCALENDAR\r\n")
    [event] = parsed["VEVENT"]
    assert value_of(event, "UID") == f"{reunion.uid}@grappe"
    assert value_of(event, "DTSTAMP") == "20260601T093015Z"
    assert value_of(event, "DTSTART") == "20260615T080000Z"
    assert value_of(event, "DTEND") == "20260615T103000Z"
    assert value_of(event, "SEQUENCE") == "0"
    assert value_of(event, "STATUS") == "CONFIRMED"
    assert unescape(value_of(event, "SUMMARY")) == LONG_TITLE
    assert unescape(value_of(event, "LOCATION")) == (
        "Salle du conseil, 3 rue Nationale; Lille (ou en visioconférence)"
    )
    url = f"{settings.SITE_URL}/projet/grappes/{cast.grappe.pk}/reunions/{reunion.pk}/"
    assert value_of(event, "URL") == url
    description = unescape(value_of(event, "DESCRIPTION"))
    assert description.splitlines() == [
        "Comité de pilotage (COPIL) — Grappe des Flandres",
        "",
        "Ordre du jour :",
        "1. Bilan, risques; suite (AMOA, 1 h 30)",
        "2. Questions diverses",
        "",
        "Visioconférence : https://visio.exemple.fr/copil-3",
        "",
        f"La réunion sur Grappe : {url}",
    ]
    [(organizer_params, organizer)] = props(event, "ORGANIZER")
    assert organizer == "mailto:cheffe@exemple.fr"
    assert organizer_params["CN"] == cast.owner.get_full_name()
    assert organizer_params["SENT-BY"] == "mailto:ne-pas-repondre@grappe.localhost"
    attendees = {value: params for params, value in props(event, "ATTENDEE")}
    assert set(attendees) == {
        "mailto:copil@exemple.fr",
        "mailto:referent@exemple.fr",
        "mailto:jean.dupont@conseil.fr",
    }
    assert attendees["mailto:jean.dupont@conseil.fr"]["CN"] == "Dupont, Jean; cabinet AMOA"
    assert attendees["mailto:copil@exemple.fr"]["PARTSTAT"] == "ACCEPTED"
    assert attendees["mailto:referent@exemple.fr"]["PARTSTAT"] == "NEEDS-ACTION"
    assert all(params["ROLE"] == "REQ-PARTICIPANT" for params in attendees.values())


def test_lines_end_with_crlf_and_fold_at_75_octets_utf8_safe(reunion):
    content = ics.invitation(reunion, now=NOW)
    raw = content.encode("utf-8")
    assert raw.count(b"\n") == raw.count(b"\r\n")  # no bare LF
    assert b"\r\r" not in raw
    physical = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(len(line) > 70 for line in physical)  # the long title is folded
    for line in physical:
        line.decode("utf-8")  # no character is cut between two lines
    summary = [line for line in unfold(content) if line.startswith("SUMMARY:")][0]
    assert len(summary.encode()) > 75


def test_text_values_are_escaped(reunion):
    reunion.titre = "Budget, planning; suite\\fin"
    reunion.lieu = "Salle A\nBâtiment B"
    reunion.lien_visio = ""
    content = ics.invitation(reunion, now=NOW)
    logical = unfold(content)
    assert "SUMMARY:Budget\\, planning\\; suite\\\\fin" in logical
    assert "LOCATION:Salle A\\nBâtiment B" in logical
    description = [line for line in logical if line.startswith("DESCRIPTION:")][0]
    assert "\\n" in description and "\n" not in description


def test_organizer_falls_back_to_the_sending_address(reunion):
    reunion.created_by = None
    [event] = parse(ics.invitation(reunion, now=NOW))["VEVENT"]
    [(params, value)] = props(event, "ORGANIZER")
    assert value == "mailto:ne-pas-repondre@grappe.localhost"
    assert params == {"CN": "Grappe"}


def test_sequence_is_written(reunion):
    reunion.sequence = 3
    [event] = parse(ics.invitation(reunion, now=NOW))["VEVENT"]
    assert value_of(event, "SEQUENCE") == "3"


# ---------------------------------------------------------------------------------------------
# Publication (METHOD:PUBLISH): feed and download
# ---------------------------------------------------------------------------------------------


def test_publication_has_method_publish_and_no_attendee(reunion, cast):
    second = ReunionFactory(
        grappe=cast.grappe,
        kind=TypeReunion.ATELIER,
        titre="Atelier processus",
        starts_at=datetime.datetime(2026, 6, 20, 9, 0, tzinfo=PARIS),
        lieu="",
        lien_visio="https://visio.exemple.fr/atelier",
    )
    content = ics.publication([reunion, second], name="Réunions Grappe — Test", now=NOW)
    parsed = parse(content)
    assert value_of(parsed["VCALENDAR"], "METHOD") == "PUBLISH"
    assert unescape(value_of(parsed["VCALENDAR"], "X-WR-CALNAME")) == "Réunions Grappe — Test"
    assert len(parsed["VEVENT"]) == 2
    for event in parsed["VEVENT"]:
        assert props(event, "ATTENDEE") == []
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER", "SEQUENCE"):
            assert props(event, name), name
    assert value_of(parsed["VEVENT"][1], "LOCATION") == "https://visio.exemple.fr/atelier"
    assert value_of(parsed["VEVENT"][1], "UID") == f"{second.uid}@grappe"


def test_reader_helpers_understand_quoted_params():
    name, params, value = split_line('ATTENDEE;CN="Dupont, Jean: AMOA";ROLE=CHAIR:mailto:j@d.fr')
    assert (name, params, value) == (
        "ATTENDEE",
        {"CN": "Dupont, Jean: AMOA", "ROLE": "CHAIR"},
        "mailto:j@d.fr",
    )
