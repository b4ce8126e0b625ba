"""Stub: being written."""


def reference_guide(request, *args, **kwargs):
    raise NotImplementedError


def reference_etape(request, *args, **kwargs):
    raise NotImplementedError


def plan_detail(request, *args, **kwargs):
    raise NotImplementedError


def plan_create(request, *args, **kwargs):
    raise NotImplementedError


def etape_add(request, *args, **kwargs):
    raise NotImplementedError


def etape_detail(request, *args, **kwargs):
    raise NotImplementedError


def etape_edit(request, *args, **kwargs):
    raise NotImplementedError


def jalon_decision(request, *args, **kwargs):
    raise NotImplementedError
