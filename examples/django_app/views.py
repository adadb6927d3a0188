"""The Django views: the same request handling as the Flask example and ``graphinpaint serve``.

:func:`graphinpaint.web.restore_request` checks the uploads and options and restores the image;
these views only adapt Django's request and answers.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

import graphinpaint as gi
from graphinpaint.web import Limits, RequestError, Upload, restore_request
from graphinpaint.web.handling import check_length


def _limits() -> Limits:
    return Limits(max_bytes=settings.GRAPHINPAINT_MAX_BYTES,
                  max_pixels=settings.GRAPHINPAINT_MAX_PIXELS)


@csrf_exempt          # an API called by programs with multipart/form-data, not a browser form
@require_POST
def inpaint(request: HttpRequest) -> HttpResponse:
    """Restore ``image`` where ``mask`` is white; answers the PNG, or JSON ``{"error"}``."""
    limits = _limits()
    try:
        check_length(request.META.get("CONTENT_LENGTH"), limits)     # before reading the body
        files = {name: Upload(name, file.name or "", file.read())
                 for name, file in request.FILES.items()}
        content, warnings = restore_request(files, request.POST, limits)
    except RequestError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    response = HttpResponse(content, content_type="image/png")
    if warnings:
        response["X-Graphinpaint-Warning"] = " ".join(warnings)
    return response


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "version": gi.__version__})
