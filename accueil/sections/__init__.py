"""The home's sections, one per kind of work: each module's `section(user, ties, today)` returns
a `Section` when the user does that work, None otherwise. `ties` is grappe.navigation's
user_context (the user's roles, seats, regions and OG functions, read once per request), so a
section that does not concern the user costs no query. The order is the page's: what the user
must act on first."""

from dataclasses import dataclass, field


@dataclass
class Section:
    key: str  # the template's name under accueil/sections/, and the data-testid
    titre: str
    context: dict = field(default_factory=dict)

    @property
    def template(self):
        return f"accueil/sections/{self.key}.html"
