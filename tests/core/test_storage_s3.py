"""Uploaded files on an S3 bucket (settings.STORAGES with S3_BUCKET): uploads and
permission-checked downloads through the real views, private objects, and the copy of the
local files to the bucket (`manage.py copy_files_to_s3`).

Against a real S3-API server: moto in server mode, started on loopback by .ci/run
(S3_TEST_ENDPOINT_URL); each test has its own bucket (fixture `s3_bucket`, tests/conftest.py).
Without the server they are skipped, under REQUIRE_SERVICES=1 they fail."""

import hashlib
import io
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from finances.models import Facture
from grappe.enums import StatutImport
from grappe.models import FinessImport
from projets.models import Livrable
from tests.finances.factories import engagement, money_grappe
from tests.helpers import consume
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def bucket_bytes(bucket, key):
    return bucket.client.get_object(Bucket=bucket.name, Key=key)["Body"].read()


def bucket_keys(bucket):
    return [
        item["Key"]
        for item in bucket.client.list_objects_v2(Bucket=bucket.name).get("Contents", [])
    ]


# ---------------------------------------------------------------------------------------------
# Uploads and downloads through the views
# ---------------------------------------------------------------------------------------------


@pytest.mark.services
def test_a_deliverable_is_uploaded_to_the_bucket_and_downloaded_with_permission(
    cast, client_for, settings, s3_bucket
):
    note = Livrable.objects.get(
        plan=plan_for(cast.grappe, user=cast.owner), reference__code="note_cadrage"
    )
    content = PDF + f"% {uuid.uuid4()}\n".encode()
    response = client_for(cast.owner).post(
        reverse("projets:livrable", args=[cast.grappe.pk, note.pk]),
        {"file": SimpleUploadedFile("note.pdf", content, content_type="application/pdf")},
    )
    assert response.status_code == 302
    version = note.versions.get()
    # In the bucket, not on this server's disk.
    assert bucket_bytes(s3_bucket, version.file.name) == content
    assert not (Path(settings.MEDIA_ROOT) / version.file.name).exists()

    address = reverse("projets:version_download", args=[cast.grappe.pk, note.pk, version.pk])
    response = client_for(cast.owner).get(address)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="note.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert int(response["Content-Length"]) == len(content)
    assert consume(response) == content  # streamed through the view, no redirect
    assert client_for(cast.stranger).get(address).status_code == 404

    # Gone from the bucket: 404, as a file gone from the disk.
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=version.file.name)
    assert client_for(cast.owner).get(address).status_code == 404


@pytest.mark.services
def test_an_invoice_is_uploaded_to_the_bucket_and_downloaded_with_permission(
    cast, client_for, s3_bucket
):
    grappe = money_grappe(cast.grappe)
    item = engagement(grappe)
    content = PDF + b"% facture\n"
    response = client_for(cast.owner).post(
        reverse("finances:facture_create", args=[grappe.pk, item.pk]),
        {
            "numero": "F-2026-001",
            "date": "2026-04-01",
            "montant_ht": "1000.00",
            "taux_tva": "5.5",
            "fichier": SimpleUploadedFile("facture.pdf", content),
        },
    )
    assert response.status_code == 302
    invoice = Facture.objects.get()
    assert bucket_bytes(s3_bucket, invoice.fichier.name) == content
    address = reverse("finances:facture_fichier", args=[grappe.pk, item.pk, invoice.pk])
    response = client_for(cast.owner).get(address)
    assert response.status_code == 200
    assert consume(response) == content
    assert client_for(cast.member).get(address).status_code == 403
    assert client_for(cast.stranger).get(address).status_code == 404


@pytest.mark.services
def test_objects_are_private(s3_bucket):
    name = default_storage.save(f"prive/{uuid.uuid4().hex}.pdf", ContentFile(PDF))
    # moto enforces object ACLs on anonymous requests (checked: an object put with
    # ACL=public-read is served to anybody), so the anonymous refusal is a real one.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_bucket.endpoint_url}/{s3_bucket.name}/{name}", timeout=10)
    refused.value.close()
    assert refused.value.code == 403
    grants = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=name)["Grants"]
    assert not [grant for grant in grants if grant["Grantee"].get("URI") in PUBLIC_GROUPS]
    # Any URL the backend builds is signed and short-lived (the views never hand one out).
    url = default_storage.url(name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url


# ---------------------------------------------------------------------------------------------
# manage.py copy_files_to_s3
# ---------------------------------------------------------------------------------------------


def on_disk(settings, content, name="finess.csv"):
    """A FINESS import whose file is on the local disk (MEDIA_ROOT) only."""
    disk = FileSystemStorage(location=settings.MEDIA_ROOT)
    stored = disk.save(f"imports/finess/test-{uuid.uuid4().hex}/{name}", ContentFile(content))
    FinessImport.objects.create(file=stored, original_name=name, status=StatutImport.APPLIQUE)
    return stored


def run_copy(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("copy_files_to_s3", *args, stdout=out, stderr=err)
    except CommandError as error:  # manage.py exits with status 1
        return 1, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.services
def test_the_command_copies_the_files_then_checks_them(settings, s3_bucket):
    content = b"FINESS;123456789\n" * 100
    name = on_disk(settings, content)
    status, out, _ = run_copy()
    assert status == 0, out
    assert "copiés et vérifiés : 1" in out
    assert bucket_bytes(s3_bucket, name) == content
    # Idempotent: nothing copied again, everything checked again.
    status, out, _ = run_copy()
    assert status == 0
    assert "copiés et vérifiés : 0" in out
    assert "déjà dans le compartiment, identiques : 1" in out
    # The disk emptied afterwards: still counted, not compared, not an error.
    (Path(settings.MEDIA_ROOT) / name).unlink()
    status, out, _ = run_copy()
    assert status == 0
    assert "dans le compartiment seulement (absents du disque, non comparés) : 1" in out


@pytest.mark.services
def test_the_command_reports_a_different_copy_and_a_missing_file(settings, s3_bucket):
    content = b"FINESS;123456789\n"
    name = on_disk(settings, content)
    corrupted = content[:-2] + b"X\n"  # same size, other bytes: only the hash tells
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=name, Body=corrupted)
    FinessImport.objects.create(
        file="imports/finess/nulle-part.csv",
        original_name="nulle-part.csv",
        status=StatutImport.ECHEC,
    )
    status, out, err = run_copy()
    assert status == 1
    assert "différents entre le disque et le compartiment : 1" in out
    assert "absents du disque et du compartiment : 1" in out
    assert f"DIFFÉRENT : {name}" in err
    assert hashlib.sha256(corrupted).hexdigest()[:12] in err
    assert "ABSENT : imports/finess/nulle-part.csv" in err
    assert bucket_bytes(s3_bucket, name) == corrupted  # reported, never replaced


@pytest.mark.services
def test_the_dry_run_writes_nothing(settings, s3_bucket):
    name = on_disk(settings, b"FINESS\n")
    status, out, _ = run_copy("--dry-run")
    assert status == 0
    assert "à copier : 1" in out
    assert f"à copier : {name}" in out
    assert bucket_keys(s3_bucket) == []


def test_the_command_refuses_a_local_storage(settings):
    status, _, err = run_copy()
    assert status == 1
    assert "n'est pas un compartiment S3" in err
