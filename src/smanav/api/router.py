"""The JSON API (django-ninja). Routers of each app are added here."""

from ninja import NinjaAPI

api = NinjaAPI(title="smanav API", version="1", urls_namespace="api-v1")
