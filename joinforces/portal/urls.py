from django.urls import path

from . import views
from .views import learning, staff_home

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("mon-espace/", views.my_space, name="my_space"),
    path("langue/", views.set_language, name="set_language"),
    path("equipe/", staff_home.staff_home, name="staff_home"),
    path("equipe/indicateurs/", learning.indicators_page, name="indicators"),
    path("equipe/indicateurs/export.csv", learning.indicators_csv, name="indicators_csv"),
    path("equipe/rapport-annuel/", learning.annual_report_start, name="annual_report_start"),
    path("ce-que-nous-avons-appris/", learning.learned_index, name="learned_index"),
    path("ce-que-nous-avons-appris/<int:year>/", learning.learned_year, name="learned_year"),
]
