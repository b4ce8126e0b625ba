"""Stub: being written."""


def esms_add(request, *args, **kwargs):
    raise NotImplementedError


def esms_lookup(request, *args, **kwargs):
    raise NotImplementedError


def esms_edit(request, *args, **kwargs):
    raise NotImplementedError


def esms_remove(request, *args, **kwargs):
    raise NotImplementedError


def og_remove(request, *args, **kwargs):
    raise NotImplementedError

