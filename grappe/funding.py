"""Stub: being written (funding simulator)."""


def simulate_funding(grappe, memberships=None):
    raise NotImplementedError
