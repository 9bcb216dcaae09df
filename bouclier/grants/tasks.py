"""Background tasks of the grants context: e-mailing the acknowledgement with its PDF."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tasks import task

from bouclier.grants.models_files import Application


@task()
def send_acknowledgement(application_pk: int) -> int:
    """E-mail the acknowledgement PDF to every applicant of the file's organisation."""
    from bouclier.grants.services.applications import _applicant_emails

    application = Application.objects.select_related("organisation", "aid_line").get(
        pk=application_pk
    )
    context = {"application": application}
    subject = render_to_string("grants/email/acknowledgement_subject.txt", context).strip()
    body = render_to_string("grants/email/acknowledgement.txt", context)
    recipients = _applicant_emails(application)
    if not recipients:
        return 0
    message = EmailMessage(subject, body, to=recipients)
    with application.acknowledgement.open("rb") as pdf:
        message.attach(f"accuse-reception-{application.number}.pdf", pdf.read(), "application/pdf")
    return message.send()
