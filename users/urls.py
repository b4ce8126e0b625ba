from django.urls import path

from users import views

app_name = "users"

urlpatterns = [
    path("jeton-api/", views.jeton_api, name="jeton_api"),
]
