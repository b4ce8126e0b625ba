"""The API's JSON parser, within bounds (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

Python's json module recurses once per nesting level: a body of 100 000 « [ » ends in a
RecursionError (a server error), and a body is read whole into memory whatever its size. So the
body is read up to MAX_BODY_BYTES, its nesting measured (strings aside) before it is parsed, and
every refusal is a 400 with a French message."""

import io
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.text import size

# The largest body the API takes: 40 000 usage lines (usage_import.MAX_ROWS) of about 250 bytes.
MAX_BODY_BYTES = 10_000_000
# The deepest structure any endpoint expects is a list of objects (2 levels).
MAX_DEPTH = 20

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(body) > MAX_BODY_BYTES:
            raise ParseError(
                f"Corps de la requête trop volumineux : {size(MAX_BODY_BYTES)} au plus. "
                "Envoyez les lignes en plusieurs fois."
            )
        if nesting(body) > MAX_DEPTH:
            raise ParseError(
                f"JSON trop imbriqué : {MAX_DEPTH} niveaux au plus (une liste d'objets en a 2)."
            )
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except ParseError as exc:
            # DRF's « JSON parse error - <the json module's words> »: the words are kept, for
            # whoever writes the client.
            detail = str(exc.detail).removeprefix("JSON parse error - ")
            raise ParseError(
                f"Le corps de la requête n'est pas du JSON valide ({detail})."
            ) from None


def nesting(body):
    """The deepest nesting of brackets in a JSON text, its strings aside (they may hold any)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if match[0] in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
