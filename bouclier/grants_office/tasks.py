"""Background tasks of the Département's side: e-mailing the notification letter."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tasks import task

from bouclier.grants_office.models import AgendaItem


@task()
def send_letter(item_pk: int) -> int:
    """E-mail the notification letter (PDF) to every applicant of the beneficiary."""
    from bouclier.grants.services.applications import _applicant_emails

    item = AgendaItem.objects.select_related(
        "session", "application__organisation", "application__aid_line"
    ).get(pk=item_pk)
    context = {"item": item, "application": item.application}
    subject = render_to_string("grants_office/email/letter_subject.txt", context).strip()
    body = render_to_string("grants_office/email/letter.txt", context)
    recipients = _applicant_emails(item.application)
    if not recipients or not item.letter:
        return 0
    message = EmailMessage(subject, body, to=recipients)
    with item.letter.open("rb") as pdf:
        message.attach(f"notification-{item.application.number}.pdf", pdf.read(), "application/pdf")
    return message.send()
