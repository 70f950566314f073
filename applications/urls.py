from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("appels/", views.call_list, name="call_list"),
    path("appels/<slug:slug>/", views.call_detail, name="call_detail"),
]
