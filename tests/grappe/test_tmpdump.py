import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.grappe.test_finess import EXTRACT

@pytest.mark.django_db
def test_dump(cast, client_for):
    c = client_for(cast.admin)
    data = EXTRACT.read_bytes().replace(b"970210126;970210118", b"970210127;970210118")
    r = c.post(reverse("grappe:finess_import"), {"file": SimpleUploadedFile("f.csv", data)})
    html = c.get(r["Location"]).content.decode()
    print(html[html.index("<main"):html.index("</main>")])
    html = c.get(reverse("grappe:registre")).content.decode()
    print(html[html.index("<main"):html.index("<tbody>")])
