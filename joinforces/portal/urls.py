from django.urls import path

from . import views
from .views import staff_home

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("mon-espace/", views.my_space, name="my_space"),
    path("langue/", views.set_language, name="set_language"),
    path("equipe/", staff_home.staff_home, name="staff_home"),
]
