"""A mailing to the current recipients of a list: started in one transaction, sent as a job.

`send_mailing` checks the mailing and queues a job in the caller's transaction (a request, or
`flask newsletter send`). The job (portal/newsletters/jobs.py) queues the mails in batches,
each with the recipient's own RFC 8058 headers; the mailing record holds the list, subject and
count, never the recipients.
"""

from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app

from portal import jobs
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Job, Mailing, NewsletterList
from portal.newsletters.links import keys_of, unsubscribe_token
from portal.newsletters.lists import get_active_list
from portal.newsletters.recipients import recipients
from portal.newsletters.subscriptions import Person

MAILING_JOB = "newsletter.mailing"
BATCH_SIZE = 200


@dataclass(frozen=True)
class StartedMailing:
    mailing: Mailing
    job: Job  # its progress (done of total) is what a page shows


def send_mailing(list_slug: str, subject: str, body: str, *, actor_id: int | None = None,
                 batch_size: int = BATCH_SIZE) -> StartedMailing:
    """Start a mailing of `body` with `subject` to everyone who receives the list now.

    Queues the job that sends it (in batches of `batch_size`); the caller's transaction
    commits both, so a mailing is never half started.
    """
    newsletter_list = get_active_list(list_slug)
    subject = subject.strip()
    if not subject or any(ord(ch) < 32 for ch in subject):
        raise PolicyError(_("Give a subject of one line."))
    if not body.strip():
        raise PolicyError(_("The mailing text is empty."))
    mailing = Mailing(list_id=newsletter_list.id, subject=subject, recipient_count=0)
    db.session.add(mailing)
    db.session.flush()
    # The text travels with the job (it is the same for everyone, and no personal data);
    # the cursor says who already has the mail when the job runs again after a crash.
    job = jobs.enqueue(MAILING_JOB, actor_id=actor_id, mailing_id=mailing.id, body=body,
                       batch_size=batch_size, after=[0, 0])
    return StartedMailing(mailing, job)


def unsubscribe_headers(person: Person, newsletter_list: NewsletterList,
                        secret: str | None = None) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: an https link for one-click POST, and a mailto fallback."""
    token = unsubscribe_token(person, newsletter_list, secret)
    link = external_url("newsletters.unsubscribe", token=token)
    mailto = current_app.config["UNSUBSCRIBE_MAILTO"]
    subject = quote(f"afmelden {newsletter_list.slug}")
    domain = mailto.partition("@")[2] or "localhost"
    return {
        "List-Unsubscribe": f"<{link}>, <mailto:{mailto}?subject={subject}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{newsletter_list.name} <{newsletter_list.slug}.{domain}>",
    }


def queue_batch(mailing: Mailing, body: str, after: tuple[int, int],
                size: int) -> tuple[int, tuple[int, int]]:
    """Queue the mails of the next `size` recipients after `after`. -> (how many, cursor).

    Flushes only: the job commits the batch with its progress.
    """
    newsletter_list = mailing.newsletter_list
    batch = recipients(newsletter_list, after=after, limit=size)
    if not batch:
        return 0, after
    secrets = keys_of(item.person for item in batch)
    preferences_link = external_url("newsletters.request_link")
    for item in batch:
        headers = unsubscribe_headers(item.person, newsletter_list, secrets[item.person.owner])
        queue_mail(item.email, "newsletter_mailing", mailing.subject, kind="newsletter",
                   headers=headers, name=item.name, body=body, list_name=newsletter_list.name,
                   unsubscribe_link=headers["List-Unsubscribe"][1:].partition(">")[0],
                   preferences_link=preferences_link)
    mailing.recipient_count += len(batch)
    db.session.flush()
    return len(batch), batch[-1].cursor
