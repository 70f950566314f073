from django.urls import path

from .views import public, staff

app_name = "events"

urlpatterns = [
    path("evenements/", public.event_list, name="list"),
    path("evenements/mon-inscription/<str:token>/", public.registration_page, name="registration"),
    path("evenements/mon-inscription/<str:token>/confirmer/", public.confirm, name="confirm"),
    path("evenements/mon-inscription/<str:token>/agenda.ics", public.registration_ics, name="registration_ics"),
    path("evenements/liste-d-attente/<str:token>/", public.waiting_page, name="waiting"),
    path("evenements/<slug:slug>/", public.event_detail, name="detail"),
    path("evenements/<slug:slug>/liste-d-attente/", public.event_waitlist, name="waitlist"),
    path("evenements/<slug:slug>/ressources/<int:pk>/", public.resource_download, name="resource"),
    path("equipe/evenements/accueil/<str:token>/", staff.checkin_scan, name="checkin_scan"),
    path("equipe/evenements/<slug:slug>/pointage/", staff.checkin_list, name="checkin_list"),
    path("equipe/evenements/<slug:slug>/pointage/<int:pk>/", staff.checkin, name="checkin"),
    path("equipe/evenements/<slug:slug>/badges/", staff.badges, name="badges"),
    path("equipe/evenements/<slug:slug>/exports/", staff.exports, name="exports"),
]
