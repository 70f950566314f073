from django.urls import path

from .views import links, spaces, staff, toolbox

app_name = "support"

urlpatterns = [
    # Staff (MFA): /equipe/accompagnement/…
    path("equipe/accompagnement/", staff.plan_list, name="plan_list"),
    path("equipe/accompagnement/plans/<int:pk>/", staff.plan_detail, name="plan_detail"),
    path("equipe/accompagnement/plans/<int:pk>/besoins/ajouter/", staff.need_add, name="need_add"),
    path("equipe/accompagnement/plans/<int:pk>/paiements/", staff.payment_record, name="payment_record"),
    path("equipe/accompagnement/besoins/<int:pk>/", staff.need_edit, name="need_edit"),
    path("equipe/accompagnement/besoins/<int:pk>/experts/", staff.need_match, name="need_match"),
    path("equipe/accompagnement/besoins/<int:pk>/reserver/", staff.book, name="book"),
    path("equipe/accompagnement/seances/<int:pk>/", staff.booking_detail, name="booking_detail"),
    path("equipe/accompagnement/seances/<int:pk>/deplacer/", staff.booking_reschedule, name="booking_reschedule"),
    path("equipe/accompagnement/seances/<int:pk>/annuler/", staff.booking_cancel, name="booking_cancel"),
    path("equipe/accompagnement/agenda/", staff.agenda, name="agenda"),
    path("equipe/accompagnement/charge/", staff.load, name="load"),
    # Experts and initiatives
    path("accompagnement/mes-seances/", spaces.expert_bookings, name="expert_bookings"),
    path("accompagnement/mes-seances/<int:pk>/confirmer/", spaces.booking_confirm, name="expert_confirm"),
    path("accompagnement/mes-seances/<int:pk>/decliner/", spaces.booking_decline, name="expert_decline"),
    path("accompagnement/mes-disponibilites/", spaces.expert_availability, name="expert_availability"),
    path("accompagnement/plans/<int:pk>/", spaces.team_plan, name="team_plan"),
    # Signed links of the emails
    path("accompagnement/lien/<str:token>/", links.link_manage, name="link_manage"),
    path("accompagnement/avis/<str:token>/", links.link_feedback, name="link_feedback"),
    # The toolbox
    path("boite-a-outils/", toolbox.toolbox, name="toolbox"),
    path("boite-a-outils/<slug:slug>/", toolbox.resource_detail, name="resource_detail"),
]
