import pytest

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
def test_a(live_server):
    import urllib.request

    from django.contrib.sites.models import Site
    print("SITES", list(Site.objects.values_list("pk", flat=True)))
    try:
        urllib.request.urlopen(live_server.url + "/compte/login/")
        print("OK")
    except Exception as e:
        print("FAIL", e)
