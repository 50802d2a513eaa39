"""The newsletters' job: a mailing, queued in batches, one commit per batch.

Safe to run again: the job's payload keeps the cursor of the last recipient whose mail was
committed, so a run after a crash goes on after that recipient (nobody gets the mail twice,
nobody added to the list since is skipped).
"""

from portal.extensions import db
from portal.jobs import commit_progress, job_handler
from portal.models import Job, Mailing
from portal.newsletters.mailing import MAILING_JOB, queue_batch
from portal.newsletters.recipients import recipient_count


@job_handler(MAILING_JOB)
def run_mailing(job: Job) -> None:
    payload = dict(job.payload)
    mailing = db.session.get(Mailing, payload["mailing_id"])
    if mailing is None:  # its list was deleted meanwhile: nothing left to send
        return
    after = tuple(payload.get("after") or (0, 0))
    total = job.total if job.total is not None else recipient_count(mailing.newsletter_list)
    while True:
        count, after = queue_batch(mailing, payload["body"], after, payload["batch_size"])
        if not count:
            break
        # A new dict: the JSON column sees a replaced value, not an edit in place.
        job.payload = {**payload, "after": list(after)}
        commit_progress(job, job.done + count, max(total, job.done + count))
