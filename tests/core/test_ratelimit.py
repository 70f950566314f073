import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from joinforces.core.ratelimit import ratelimit

pytestmark = pytest.mark.django_db


@ratelimit("tests.form", limit=3, period=60)
def form_view(request):
    return HttpResponse("ok")


def post(address):
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    return form_view(request)


def test_beyond_the_limit_the_form_answers_429_in_french():
    assert [post("10.0.0.1").status_code for _ in range(3)] == [200, 200, 200]
    refused = post("10.0.0.1")
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.content.decode()


def test_each_address_has_its_own_count_and_reading_is_free():
    for _ in range(3):
        post("10.0.0.2")
    assert post("10.0.0.3").status_code == 200
    assert form_view(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")).status_code == 200


def test_behind_a_proxy_each_client_is_counted_by_its_forwarded_address(settings):
    settings.NUM_PROXIES = 1

    def post_via_proxy(client):
        return form_view(RequestFactory().post("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=client))

    assert [post_via_proxy("198.51.100.7").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert post_via_proxy("198.51.100.8").status_code == 200
    # A client cannot escape by forging the header: the proxy appends the real address last.
    assert post_via_proxy("1.2.3.4, 198.51.100.7").status_code == 429
