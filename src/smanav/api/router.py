"""The JSON API (django-ninja) under /api/v1/. Routers of each app are added here.

Errors: raise `smanav.jsonapi.errors.ApiError` subclasses (or let the core's `InvalidInput` through);
every error is answered as `{"errors": [{"field": ..., "message": ...}]}`. Declare the error statuses
an operation can answer with `response={200: Out, **error_responses(404, 422)}` so the OpenAPI document
lists them.
"""

from smanav.api.contract import router as contract_router
from smanav.api.openapi import SmanavAPI
from smanav.jsonapi.errors import install_error_handlers

# No interactive docs page: it loads its script from a CDN, which the CSP (rightly) blocks.
api = SmanavAPI(title="smanav API", version="1", urls_namespace="api-v1", docs_url=None)
install_error_handlers(api)

api.add_router("/", contract_router)

from smanav.directory.api import router as services_router  # noqa: E402
from smanav.trials.api import router as trials_router  # noqa: E402

api.add_router("/services", services_router)
api.add_router("/trials", trials_router)

from smanav.careplans.api import router as careplans_router  # noqa: E402
from smanav.patients.api import router as patients_router  # noqa: E402

api.add_router("/patients", patients_router)
api.add_router("/patients", careplans_router)

from smanav.registry.api import router as registry_router  # noqa: E402

api.add_router("/patients", registry_router)
