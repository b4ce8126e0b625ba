"""The OpenAPI schema and its browsable docs, served without the login page and without a CDN."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert "title: API Grappe" in response.content.decode()


def test_docs_use_local_assets_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower() and "https://" not in page
