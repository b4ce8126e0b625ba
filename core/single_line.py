"""Single-line text: what breaks a line or hides in it, refused at input, flattened on output.

A name, a title or a reference is shown on one line and travels in e-mail subjects, PDF titles
and exported cells: a carriage return or a line feed there breaks the page's layout, and in an
e-mail header it is an injection (Django then refuses the whole message, BadHeaderError). Forms
refuse them (`core.forms.install_single_line_check`); the text built from them for one line
(an e-mail subject) is flattened (`flatten`) for the values already stored.
"""

import re

from django.core.exceptions import ValidationError

# What str.splitlines() breaks on (CR, LF, VT, FF, FS, GS, RS, NEL, LINE / PARAGRAPH SEPARATOR).
LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# The other C0 control characters and DEL: invisible, never typed (a tab included: a single-line
# field is no table). NUL is Django's own ProhibitNullCharactersValidator.
CONTROLS = re.compile("[\x01-\x08\x09\x0e-\x1b\x1f\x7f]")

_BREAKING_RUN = re.compile(rf"[ \t]*(?:{LINE_BREAKS.pattern}|{CONTROLS.pattern})+[ \t]*")

LINE_BREAK_MESSAGE = "Ce champ tient sur une ligne : retirez les retours à la ligne."
CONTROL_MESSAGE = (
    "Ce champ contient un caractère invisible (tabulation ou caractère de contrôle) : retirez-le."
)


def validate(value):
    """Refuse a line break or a control character in a single-line text (ValidationError)."""
    if not isinstance(value, str):
        return
    if LINE_BREAKS.search(value):
        raise ValidationError(LINE_BREAK_MESSAGE, code="single_line")
    if CONTROLS.search(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_character")


def flatten(text):
    """The text on one line: each run of line breaks, control characters and the spaces around
    them becomes one space (« Grappe\\r\\nBcc: x » → « Grappe Bcc: x »)."""
    return _BREAKING_RUN.sub(" ", str(text)).strip()
