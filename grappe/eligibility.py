"""Stub: being written (eligibility checks)."""


def check_eligibility(grappe, memberships=None):
    raise NotImplementedError
