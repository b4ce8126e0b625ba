"""Stub: being written."""


def comite_detail(request, *args, **kwargs):
    raise NotImplementedError


def comite_member_remove(request, *args, **kwargs):
    raise NotImplementedError

