"""The privacy flow's job: a retention run started from a page instead of the daily timer.

The same runner as `flask retention run`: each step commits as one batch (with the job's
progress), and only one run goes at a time.
"""

from datetime import date

from portal import clock
from portal.jobs import commit_progress, job_handler
from portal.models import Job
from portal.retention import RETENTION_STEPS, run_retention, single_runner

RETENTION_JOB = "retention.run"


@job_handler(RETENTION_JOB)
def run_retention_job(job: Job) -> None:
    """Payload: an optional `today` (ISO date) for a run as of another day."""
    today = date.fromisoformat(job.payload["today"]) if job.payload.get("today") \
        else clock.today()
    with single_runner("retention run") as mine:
        if not mine:
            raise RuntimeError("another retention run is busy; this job is retried later")
        run_retention(today, after_step=lambda done: commit_progress(
            job, done, len(RETENTION_STEPS)))
