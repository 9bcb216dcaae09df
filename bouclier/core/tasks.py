"""Background tasks of the shell: sending e-mails through the task queue."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(subject: str, body: str, to: list[str], html: str = "") -> int:
    """Send one e-mail; queued so that a slow mail server never blocks a page."""
    message = EmailMultiAlternatives(subject, body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
