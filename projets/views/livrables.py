"""Stub: being written."""


def livrable_list(request, *args, **kwargs):
    raise NotImplementedError


def livrable_detail(request, *args, **kwargs):
    raise NotImplementedError


def version_download(request, *args, **kwargs):
    raise NotImplementedError


def version_submit(request, *args, **kwargs):
    raise NotImplementedError


def version_avis(request, *args, **kwargs):
    raise NotImplementedError


def inbox(request, *args, **kwargs):
    raise NotImplementedError
