"""The concurrency pattern of DESIGN §2, once for every test that races real transactions.

`run_together(work, arguments, refused=(SomeError,))` runs `work(argument)` in one thread per
argument, each on its own database connection with a 5-second lock timeout, all released at the same
moment by a barrier; it returns (successes, refusals, errors): what `work` returned, the exceptions of
the `refused` types (the clean refusals a test expects), and any other exception (which a test
asserts is empty). Work runs in English, so that refusals can be matched by their wording.
"""

import threading

from django.db import connection
from django.utils import translation


def run_together(work, arguments, *, refused: tuple[type[BaseException], ...] = ()):
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments))
    successes, refusals, errors = [], [], []

    def target(argument):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            barrier.wait(timeout=10)
            with translation.override("en"):
                successes.append(work(argument))
        except refused as exc:
            refusals.append(exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions of the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return successes, refusals, errors
