"""The message templates Punkt starts with; HQ edits them later. A missing one (a fresh
database, a flushed test database) is created again from here when first needed."""

from __future__ import annotations

from punkt.messaging.models import MessageTemplate

TEMPLATES = [
    ("retention-email", "Przypomnienie o końcu umowy (e-mail)", "email", "marketing",
     "Twoja umowa {{ numer_umowy }} kończy się {{ data_konca }}",
     "Dzień dobry {{ klient }},\n\nTwoja umowa {{ numer_umowy }} kończy się {{ data_konca }}. "
     "Mamy dla Ciebie propozycję jej przedłużenia na korzystnych warunkach. Zadzwoń do nas: "
     "{{ telefon_oddzialu }} lub odwiedź oddział {{ oddzial }}.\n\nPozdrawiamy,\n"
     "{{ pracownik }}"),
    ("retention-sms", "Przypomnienie o końcu umowy (SMS)", "sms", "marketing", "",
     "Twoja umowa {{ numer_umowy }} konczy sie {{ data_konca }}. Mamy propozycje "
     "przedluzenia - zadzwon: {{ telefon_oddzialu }}. {{ oddzial }}"),
    ("renewal-proposal-email", "Propozycja przedłużenia (art. 20, e-mail)", "email", "service",
     "Propozycja przedłużenia umowy {{ numer_umowy }}",
     "Dzień dobry {{ klient }},\n\ndziękujemy za rozmowę. W załączniku przesyłamy treść "
     "proponowanej umowy. Umowa zostanie zawarta dopiero po Twojej akceptacji:\n{{ link }}\n\n"
     "{{ pracownik }}, {{ oddzial }}"),
    ("renewal-proposal-sms", "Propozycja przedłużenia (art. 20, SMS)", "sms", "service", "",
     "Propozycja przedluzenia umowy {{ numer_umowy }}: {{ link }} - umowa zostanie zawarta "
     "po Twojej akceptacji. {{ oddzial }}"),
    ("end-of-term-email", "Informacja o końcu okresu umowy (e-mail)", "email", "service",
     "Informacja o zakończeniu okresu umowy {{ numer_umowy }}",
     "Dzień dobry {{ klient }},\n\nokres, na jaki zawarto umowę {{ numer_umowy }}, kończy się "
     "{{ data_konca }}. W załączniku informacja o dalszych warunkach i najkorzystniejszych "
     "ofertach.\n\n{{ oddzial }}, tel. {{ telefon_oddzialu }}"),
    ("end-of-term-sms", "Informacja o końcu okresu umowy (SMS)", "sms", "service", "",
     "Okres umowy {{ numer_umowy }} konczy sie {{ data_konca }}. Szczegoly i oferty: "
     "{{ oddzial }}, tel. {{ telefon_oddzialu }}"),
]


def ensure_defaults() -> None:
    present = set(MessageTemplate.objects.values_list("code", flat=True))
    for code, name, channel, kind, subject, body in TEMPLATES:
        if code not in present:
            MessageTemplate.objects.get_or_create(code=code, defaults={
                "name": name, "channel": channel, "kind": kind, "subject": subject,
                "body": body})
