"""What the account pages tell the apps above (`users` sits below `grappe`, which keeps the audit
trail): they send a signal, the registry records it (grappe.apps)."""

from django.dispatch import Signal

# Sent with `user` and `action` (French: « Jeton d'API créé », « … remplacé », « … révoqué »): an
# API token acts for its owner, its life belongs in the audit trail.
api_token_changed = Signal()
