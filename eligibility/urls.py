from django.urls import path

from . import views

app_name = "eligibility"

urlpatterns = [
    path("", views.self_assessment, name="self_assessment"),
]
