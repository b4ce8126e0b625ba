"""iCalendar (RFC 5545) for governance meetings, written by hand (no dependency).

Two uses:
- the invitation attached to the e-mails (iTIP METHOD:REQUEST, RFC 5546 §3.2.2): organizer and
  attendees, SEQUENCE raised by every change made after the invitations were sent, so calendar
  apps replace the event instead of adding a second one;
- a person's calendar feed and the plain download (METHOD:PUBLISH, RFC 5546 §3.2.1): the same
  events without ATTENDEE lines (PUBLISH carries none, and a feed URL must not spread the
  invitees' addresses).

Times are written in UTC ("Z"), so no VTIMEZONE is needed. Lines end with CRLF and are folded at
75 octets without ever splitting a UTF-8 character (RFC 5545 §3.1); TEXT values escape backslash,
semicolon, comma and newlines (§3.3.11).
"""

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.mail import absolute_url
from projets.enums import Presence

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//Grappe//Reunions de gouvernance//FR"
UID_DOMAIN = "grappe"
REQUEST = "REQUEST"
PUBLISH = "PUBLISH"

PARTSTAT = {Presence.PRESENT: "ACCEPTED", Presence.EXCUSE: "DECLINED"}


# ---------------------------------------------------------------------------------------------
# RFC 5545 primitives
# ---------------------------------------------------------------------------------------------


def escape_text(value):
    """A TEXT value (§3.3.11): backslash, semicolon and comma escaped, newlines as \\n."""
    value = str(value or "")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def param_value(value):
    """A parameter value (§3.2): no control characters nor DQUOTE; quoted when it holds a
    colon, semicolon or comma."""
    value = "".join(char for char in str(value) if char >= " " and char not in '"\x7f')
    if any(char in value for char in ":;,"):
        return f'"{value}"'
    return value


def fold(line):
    """Split a content line into lines of at most 75 octets; continuation lines start with one
    space (which counts). A multi-byte UTF-8 character is never cut."""
    parts = []
    current, size = [], 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return CRLF.join(parts)


def content_line(name, value, params=None):
    """NAME;PARAM=value:value, folded. `value` is written as is: escape TEXT values first."""
    head = name
    for key, param in (params or {}).items():
        if param not in (None, ""):
            head += f";{key}={param_value(param)}"
    return fold(f"{head}:{value}")


def utc(moment):
    """A DATE-TIME in UTC form (§3.3.5, FORM #2): 20260615T080000Z."""
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


def uid_for(reunion):
    return f"{reunion.uid}@{UID_DOMAIN}"


def organizer(reunion):
    """(name, address, sent_by): the meeting's creator, the invitations being sent by Grappe's
    address (SENT-BY); Grappe's own address when the creator is unknown."""
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    creator = reunion.created_by
    if creator is not None and creator.email:
        return (creator.get_full_name() or creator.email, creator.email, default_address)
    return (default_name or "Grappe", default_address, "")


def _duration(minutes):
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def description(reunion, points, url):
    """The event's description: the body, the agenda, the video link and the meeting's page."""
    lines = [f"{reunion.get_kind_display()} — {reunion.grappe.name}"]
    if points:
        lines += ["", "Ordre du jour :"]
        for index, point in enumerate(points, start=1):
            details = [part for part in (point.presenter, _duration(point.duree_minutes)) if part]
            suffix = f" ({', '.join(details)})" if details else ""
            lines.append(f"{index}. {point.titre}{suffix}")
    if reunion.lien_visio:
        lines += ["", f"Visioconférence : {reunion.lien_visio}"]
    lines += ["", f"La réunion sur Grappe : {url}"]
    return "\n".join(lines)


def location(reunion):
    if reunion.lieu and reunion.lien_visio:
        return f"{reunion.lieu} (ou en visioconférence)"
    return reunion.lieu or reunion.lien_visio


def vevent(reunion, method, now, points=None, participants=None):
    """The VEVENT lines of one meeting. `points` and `participants` may be given (prefetched)
    to save queries; they are read from the meeting otherwise."""
    if points is None:
        points = list(reunion.points.all())
    url = absolute_url(reverse("projets:reunion", args=[reunion.grappe_id, reunion.pk]))
    name, address, sent_by = organizer(reunion)
    lines = [
        "BEGIN:VEVENT",
        content_line("UID", uid_for(reunion)),
        content_line("DTSTAMP", utc(now)),
        content_line("DTSTART", utc(reunion.starts_at)),
        content_line("DTEND", utc(reunion.ends_at)),
        content_line("SEQUENCE", str(reunion.sequence)),
        content_line("STATUS", "CONFIRMED"),
        content_line("SUMMARY", escape_text(reunion.titre)),
    ]
    place = location(reunion)
    if place:
        lines.append(content_line("LOCATION", escape_text(place)))
    lines += [
        content_line("DESCRIPTION", escape_text(description(reunion, points, url))),
        content_line("URL", url),
        content_line(
            "ORGANIZER",
            f"mailto:{address}",
            {"CN": name, "SENT-BY": f"mailto:{sent_by}" if sent_by else ""},
        ),
    ]
    if method == REQUEST:
        if participants is None:
            participants = list(reunion.participants.select_related("user"))
        for participant in participants:
            if not participant.address:
                continue
            lines.append(
                content_line(
                    "ATTENDEE",
                    f"mailto:{participant.address}",
                    {
                        "CUTYPE": "INDIVIDUAL",
                        "ROLE": "REQ-PARTICIPANT",
                        "PARTSTAT": PARTSTAT.get(participant.presence, "NEEDS-ACTION"),
                        "CN": str(participant),
                    },
                )
            )
    lines.append("END:VEVENT")
    return lines


def calendar(events, method, name=""):
    """A VCALENDAR around already built VEVENT line lists; CRLF after every line."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    ]
    if name:
        lines.append(content_line("X-WR-CALNAME", escape_text(name)))
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return CRLF.join(lines) + CRLF


def invitation(reunion, now=None):
    """The invitation (or its update, with a higher SEQUENCE) sent to every invitee."""
    return calendar([vevent(reunion, REQUEST, now or timezone.now())], REQUEST)


def publication(reunions, name="", now=None):
    """A calendar of meetings to subscribe to or import (feed, download). The meetings'
    `points` should be prefetched."""
    now = now or timezone.now()
    return calendar(
        [vevent(reunion, PUBLISH, now, points=list(reunion.points.all())) for reunion in reunions],
        PUBLISH,
        name=name,
    )
