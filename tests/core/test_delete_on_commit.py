"""core.uploads.delete_on_commit: a stored file goes with its row, never before."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from core.uploads import delete_on_commit

pytestmark = pytest.mark.django_db


class Stored:
    """A stand-in for a FieldFile: what delete_on_commit reads."""

    def __init__(self, name):
        self.storage = default_storage
        self.name = default_storage.save(name, ContentFile(b"%PDF-1.4"))

    def __bool__(self):
        return bool(self.name)


def test_the_file_goes_when_the_transaction_commits(django_capture_on_commit_callbacks):
    stored = Stored("tests/a-supprimer.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        delete_on_commit(stored)
        assert default_storage.exists(stored.name)  # not before the commit
    assert not default_storage.exists(stored.name)


def test_a_rollback_keeps_the_file(django_capture_on_commit_callbacks):
    stored = Stored("tests/a-garder.pdf")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                delete_on_commit(stored)
                raise RuntimeError("échec de la suppression")
        except RuntimeError:
            pass
    assert callbacks == []
    assert default_storage.exists(stored.name)
    default_storage.delete(stored.name)
