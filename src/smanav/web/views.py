from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


def triage_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/triage.html")


def sources(request: HttpRequest) -> HttpResponse:
    return render(request, "web/sources.html")
