from django.urls import path

from users import views

app_name = "users"

urlpatterns = [
    path("jeton-api/", views.jeton_api, name="jeton_api"),
    path("jeton-api/<int:token_id>/revoquer/", views.revoquer_jeton, name="revoquer_jeton"),
]
