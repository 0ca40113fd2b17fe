"""URL map. Each app keeps its own `urls.py`; the JSON API lives under /api/v1/."""

from django.urls import include, path

from smanav.api.router import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("smanav.web.urls")),
    path("accounts/", include("smanav.accounts.urls")),
    path("", include("smanav.family.urls")),
    path("", include("smanav.patients.urls")),
    path("", include("smanav.careplans.urls")),
    path("", include("smanav.web.audit_urls")),
    path("", include("smanav.directory.urls")),
    path("", include("smanav.trials.urls")),
    path("", include("smanav.library.urls")),
    path("", include("smanav.registry.urls")),
    path("community/", include("smanav.community.urls")),
]

# A request Django cannot read (a broken multipart body, too large a form) is answered with a page that
# names the problem.
handler400 = "smanav.web.views.bad_request"
# A busy database answers 503 with Retry-After wherever it was met; any other error, Django's 500.
handler500 = "smanav.database.server_error"
