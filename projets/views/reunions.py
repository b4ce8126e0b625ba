"""Stub: being written."""


def reunion_list(request, *args, **kwargs):
    raise NotImplementedError


def reunion_create(request, *args, **kwargs):
    raise NotImplementedError


def reunion_detail(request, *args, **kwargs):
    raise NotImplementedError


def reunion_edit(request, *args, **kwargs):
    raise NotImplementedError


def reunion_invite(request, *args, **kwargs):
    raise NotImplementedError


def reunion_ics(request, *args, **kwargs):
    raise NotImplementedError


def reunion_attendance(request, *args, **kwargs):
    raise NotImplementedError


def reunion_document_download(request, *args, **kwargs):
    raise NotImplementedError


def decision_add(request, *args, **kwargs):
    raise NotImplementedError


def action_add(request, *args, **kwargs):
    raise NotImplementedError


def action_update(request, *args, **kwargs):
    raise NotImplementedError


def my_actions(request, *args, **kwargs):
    raise NotImplementedError


def calendar_feed(request, *args, **kwargs):
    raise NotImplementedError


def calendar_feed_reset(request, *args, **kwargs):
    raise NotImplementedError
