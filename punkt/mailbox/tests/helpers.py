"""Building test mail and a team mailbox on the test IMAP server."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from punkt.mailbox.models import Mailbox, Security
from punkt.servicedesk.tests.factories import Desk

ADDRESS = "biuro@punkt.test"


def mail(subject: str = "Nie doszła faktura", body: str = "Gdzie jest moja faktura?", *,
         sender: str = "Zofia Żółkiewska <zofia@example.pl>", msgid: str = "<m1@example.pl>",
         html: str = "", headers: dict[str, str] | None = None,
         attachments: list[tuple[str, bytes, str]] = ()) -> bytes:  # type: ignore[assignment]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ADDRESS
    msg["Subject"] = subject
    if msgid:
        msg["Message-ID"] = msgid
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    for name, data, ctype in attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return bytes(msg)


def mailbox(imap: Any, d: Desk, *, folder: str, security: str = Security.IMAPS,
            **fields: Any) -> Mailbox:
    port = imap.port if security == Security.IMAPS else imap.starttls_port
    data: dict[str, Any] = {"team": d.team_a, "address": ADDRESS, "host": imap.host,
                            "port": port, "security": security, "username": imap.user,
                            "password": imap.password, "folder": folder,
                            "ticket_type": d.question}
    data.update(fields)
    return Mailbox.objects.create(**data)
