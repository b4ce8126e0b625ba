"""Stub: being written."""


def compte_rendu_detail(request, *args, **kwargs):
    raise NotImplementedError


def compte_rendu_create(request, *args, **kwargs):
    raise NotImplementedError


def compte_rendu_edit(request, *args, **kwargs):
    raise NotImplementedError


def compte_rendu_submit(request, *args, **kwargs):
    raise NotImplementedError


def compte_rendu_avis(request, *args, **kwargs):
    raise NotImplementedError


def compte_rendu_pdf(request, *args, **kwargs):
    raise NotImplementedError


def compte_rendu_new_version(request, *args, **kwargs):
    raise NotImplementedError


def bibliotheque(request, *args, **kwargs):
    raise NotImplementedError
