"""Stub: being written."""


def timeline(request, *args, **kwargs):
    raise NotImplementedError


def baseline_create(request, *args, **kwargs):
    raise NotImplementedError


def risque_list(request, *args, **kwargs):
    raise NotImplementedError


def risque_create(request, *args, **kwargs):
    raise NotImplementedError


def risque_edit(request, *args, **kwargs):
    raise NotImplementedError


def rapport(request, *args, **kwargs):
    raise NotImplementedError


def rapport_pdf(request, *args, **kwargs):
    raise NotImplementedError
