"""Stub: being written."""


def role_list(request, *args, **kwargs):
    raise NotImplementedError


def role_remove(request, *args, **kwargs):
    raise NotImplementedError

