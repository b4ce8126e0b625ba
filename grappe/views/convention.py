"""Stub: being written."""


def convention_edit(request, *args, **kwargs):
    raise NotImplementedError


def convention_pdf(request, *args, **kwargs):
    raise NotImplementedError

