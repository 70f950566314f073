from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from applications.admin import committee_site
from joinforces.core.views import healthz

# Every admin site logs in through allauth, so that its rate limits and MFA apply there too.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
committee_site.login = secure_admin_login(committee_site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("comite/", committee_site.urls),
    path("compte/", include("allauth.urls")),
    path("compte/", include("joinforces.accounts.urls")),
    path("eligibilite/", include("eligibility.urls")),
    path("", include("applications.urls")),
    path("", include("grants.urls")),
    path("", include("events.urls")),
    path("", include("support.urls")),
    path("", include("joinforces.core.urls")),
    path("", include("joinforces.portal.urls")),
]
