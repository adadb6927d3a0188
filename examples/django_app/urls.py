"""URLs of the Django example: ``POST /inpaint`` and ``GET /health``."""

from django.urls import path

from . import views

urlpatterns = [
    path("inpaint", views.inpaint, name="inpaint"),
    path("health", views.health, name="health"),
]
