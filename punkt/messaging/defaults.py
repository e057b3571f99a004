"""The message templates Punkt starts with; HQ edits them later. A missing one (a fresh
database, a flushed test database) is created again from here when first needed.

Each list is read by the migration that brought its channel: ``TEMPLATES`` (e-mail and
SMS) by ``0002_default_templates``, ``LETTER_TEMPLATES`` by ``0003_letters`` — an older
migration must never see a channel its schema does not have yet (a letter in 0002 would
not fit the five-letter channel column of that time)."""

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


#: Printed letters (a window envelope), for customers with neither e-mail nor phone.
LETTER_TEMPLATES = [
    ("retention-letter", "Przypomnienie o końcu umowy (list)", "letter", "marketing",
     "Twoja umowa {{ numer_umowy }} kończy się {{ data_konca }}",
     "Szanowni Państwo,\n\nuprzejmie przypominamy, że umowa nr {{ numer_umowy }} kończy się "
     "{{ data_konca }}. Przygotowaliśmy propozycję jej przedłużenia na korzystnych "
     "warunkach.\n\nZapraszamy do oddziału {{ oddzial }} lub do kontaktu pod numerem "
     "{{ telefon_oddzialu }} — chętnie omówimy szczegóły.\n\nZ poważaniem\n{{ pracownik }}\n"
     "{{ oddzial }}"),
    ("end-of-term-letter", "Informacja o końcu okresu umowy (list)", "letter", "service",
     "Informacja o zakończeniu okresu umowy {{ numer_umowy }}",
     "Szanowni Państwo,\n\nokres, na jaki zawarto umowę nr {{ numer_umowy }}, kończy się "
     "{{ data_konca }}. Jeżeli nie złożą Państwo innego oświadczenia, umowa będzie "
     "kontynuowana na czas nieokreślony na dotychczasowych warunkach i będzie ją można "
     "wypowiedzieć w każdym czasie z zachowaniem okresu wypowiedzenia.\n\nO "
     "najkorzystniejszych obecnie ofertach poinformujemy w oddziale {{ oddzial }}, "
     "tel. {{ telefon_oddzialu }}.\n\nZ poważaniem\n{{ oddzial }}"),
]


def ensure_defaults() -> None:
    present = set(MessageTemplate.objects.values_list("code", flat=True))
    for code, name, channel, kind, subject, body in TEMPLATES + LETTER_TEMPLATES:
        if code not in present:
            MessageTemplate.objects.get_or_create(code=code, defaults={
                "name": name, "channel": channel, "kind": kind, "subject": subject,
                "body": body})
