from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("fichiers/<int:content_type_id>/<str:object_id>/<slug:field>/", views.download, name="download"),
    path("taches/<uuid:job_id>/", views.job_status, name="job_status"),
]
