"""Rate limits for public forms, in the shared cache (Redis in production, so every web process
counts together).

    @ratelimit("eligibility.self_assessment", limit=30, period=3600)
    def self_assessment(request): ...

Beyond `limit` requests of the given methods from one address within `period` seconds, the view
answers 429 with a translated page instead of running.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone


def client_address(request) -> str:
    """The client's address: behind NUM_PROXIES trusted proxies, the one the outermost proxy saw."""
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(group: str, key: str, *, limit: int, period: int) -> bool:
    """Count one request; True while the caller is within the limit."""
    window = int(timezone.now().timestamp()) // period
    digest = hashlib.sha256(f"{group}:{key}".encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{group}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 5)
        count = 1
    return count <= limit


def ratelimit(group: str, *, limit: int, period: int, methods=("POST",)):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not hit(group, client_address(request), limit=limit, period=period):
                return render(request, "core/rate_limited.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
