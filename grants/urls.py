from django.urls import path

from .views import bank_details, dashboard, giving360, grant, reports, transparency

app_name = "grants"

urlpatterns = [
    path("transparence/", transparency.transparency, name="transparency"),
    path("subventions/export/360giving.json", giving360.export_all, name="export_360giving"),
    path("subventions/export/attributions.csv", dashboard.fund_attributions_csv, name="fund_attributions_csv"),
    path("subventions/rapport-de-redistribution/", dashboard.fund_report, name="fund_report"),
    path("mes-dons/", dashboard.donor_home, name="donor_home"),
    path("mes-dons/<int:pk>/", dashboard.donor_dashboard, name="donor_dashboard"),
    path("mes-dons/<int:pk>/rapport/", dashboard.donor_report, name="donor_report"),
    path("mes-dons/<int:pk>/attributions.csv", dashboard.donor_attributions_csv, name="donor_attributions_csv"),
    path("mes-dons/<int:pk>/360giving.json", giving360.export_for_donor, name="donor_export_360giving"),
    path("subventions/<int:pk>/", grant.grant_detail, name="grant_detail"),
    path("subventions/<int:pk>/convention/", grant.agreement_upload, name="agreement_upload"),
    path("subventions/<int:pk>/coordonnees-bancaires/", bank_details.bank_details_edit, name="bank_details"),
    path("subventions/<int:pk>/rapports/<int:year>/", reports.report_edit, name="report_edit"),
    path("subventions/<int:pk>/rapports/<int:year>/envoyer/", reports.report_submit, name="report_submit"),
]
