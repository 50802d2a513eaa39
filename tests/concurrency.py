"""Run jobs at the same moment, as several processes or hosts would."""

import threading

from portal.extensions import db


def run_together(app, *jobs, timeout: float = 30):
    """Run each job in its own thread and app context (own session), released at once.

    Returns each job's result, or the exception it raised, in the order of the jobs.
    """
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = job()
            except Exception as error:  # noqa: BLE001 - the test judges every outcome
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def failures(results) -> list:
    return [result for result in results if isinstance(result, Exception)]
