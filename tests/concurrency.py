"""Shared by the PostgreSQL race tests: start workers at the same instant."""

import threading

from django.db import close_old_connections, connection

from events.errors import RegistrationError


def race(worker, items) -> list[object]:
    """Run `worker(item)` for every item in its own thread, all released at once by a
    barrier; collect each result, or the code of the RegistrationError it raised."""
    barrier = threading.Barrier(len(items))
    results: list[object] = [None] * len(items)

    def run(index: int, item) -> None:
        try:
            barrier.wait()
            results[index] = worker(item)
        except RegistrationError as error:
            results[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, x)) for i, x in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return results
