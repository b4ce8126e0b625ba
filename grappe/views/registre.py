"""Stub: being written."""


def registre(request, *args, **kwargs):
    raise NotImplementedError


def finess_import(request, *args, **kwargs):
    raise NotImplementedError


def finess_import_detail(request, *args, **kwargs):
    raise NotImplementedError

