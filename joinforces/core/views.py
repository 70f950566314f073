from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import FileField
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Job


@require_GET
@never_cache
def healthz(request):
    """Liveness and readiness: the database and the broker, as JSON (503 when one is down)."""
    from joinforces.celery import app as celery_app

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "down"
        checks["database"] = "error"
    if celery_app.conf.task_always_eager:
        checks["broker"] = "eager"
    else:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:  # noqa: BLE001
            checks["broker"] = "error"
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@login_required
@require_GET
def download(request, content_type_id: int, object_id: str, field: str):
    """Serve a stored file as an attachment, only to someone its owner model says may see it."""
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        raise Http404 from None
    model = content_type.model_class()
    if model is None or not hasattr(model.objects, "visible_to"):
        raise Http404
    try:
        model_field = model._meta.get_field(field)
    except Exception:  # noqa: BLE001 - unknown field: not found
        raise Http404 from None
    if not isinstance(model_field, FileField):
        raise Http404
    try:
        obj = model.objects.visible_to(request.user).filter(pk=object_id).first()
    except (ValueError, ValidationError):
        obj = None
    stored = getattr(obj, field, None) if obj is not None else None
    if not stored:
        raise Http404
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def job_status(request, job_id):
    """A job's progress; htmx polls the fragment until the result is ready."""
    job = Job.objects.visible_to(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    template = "core/job_status_fragment.html" if request.htmx else "core/job_status.html"
    return render(request, template, {"job": job})


