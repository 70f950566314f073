from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("appels/", views.call_list, name="call_list"),
    path("appels/<slug:slug>/", views.call_detail, name="call_detail"),
]

urlpatterns += [
    path("appels/<slug:slug>/candidater/", views.application_start, name="start"),
    path("candidatures/<int:pk>/", views.application_detail, name="detail"),
    path("candidatures/<int:pk>/etape/<int:step>/", views.application_step, name="step"),
    path("candidatures/<int:pk>/retirer/", views.application_withdraw, name="withdraw"),
    path("candidatures/<int:pk>/renvoyer/", views.info_request_answer, name="info_answer"),
    path("candidatures/<int:pk>/cas.json", views.application_case_download, name="case"),
]
urlpatterns += [
    path("candidatures/invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
urlpatterns += [
    path("candidatures/<int:pk>/equipe/inviter/", views.team_invite, name="invite"),
]
