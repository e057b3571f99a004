"""The letters Punkt starts with (HQ edits them on *Reklamacje › Wzory pism*). Read by the
migration that brought them and by :func:`install` when one is missing (a flushed test
database): the texts are Polish, as the letters are."""

from __future__ import annotations

from typing import Any

_SIGNATURE = "\n\nZ poważaniem\n{{ pracownik }}\n{{ oddzial }}, tel. {{ telefon_oddzialu }}"

LETTER_TEMPLATES: list[dict[str, Any]] = [
    {"code": "answer-upheld", "kind": "answer", "outcome": "upheld",
     "name": "Odpowiedź: reklamacja uznana",
     "subject": "Odpowiedź na reklamację {{ numer }}",
     "body": "Szanowni Państwo,\n\ndziękujemy za zgłoszenie reklamacji nr {{ numer }} z dnia "
             "{{ data_przyjecia }} dotyczącej: {{ produkt }}.\n\nInformujemy, że reklamacja "
             "została uznana w całości. Sposób jej załatwienia: {{ sposob_zalatwienia }}."
             "\n\nPrzepraszamy za niedogodności i dziękujemy za cierpliwość." + _SIGNATURE},
    {"code": "answer-partly", "kind": "answer", "outcome": "partly_upheld",
     "name": "Odpowiedź: reklamacja uznana częściowo",
     "subject": "Odpowiedź na reklamację {{ numer }}",
     "body": "Szanowni Państwo,\n\ndziękujemy za zgłoszenie reklamacji nr {{ numer }} z dnia "
             "{{ data_przyjecia }} dotyczącej: {{ produkt }}.\n\nInformujemy, że reklamacja "
             "została uznana częściowo. Uzasadnienie: {{ uzasadnienie }}\n\nSposób jej "
             "załatwienia: {{ sposob_zalatwienia }}.\n\nJeżeli nie zgadzają się Państwo z tym "
             "rozstrzygnięciem, mogą Państwo złożyć odwołanie w oddziale lub odpowiadając na "
             "to pismo." + _SIGNATURE},
    {"code": "answer-rejected", "kind": "answer", "outcome": "rejected",
     "name": "Odpowiedź: reklamacja nieuznana",
     "subject": "Odpowiedź na reklamację {{ numer }}",
     "body": "Szanowni Państwo,\n\ndziękujemy za zgłoszenie reklamacji nr {{ numer }} z dnia "
             "{{ data_przyjecia }} dotyczącej: {{ produkt }}.\n\nPo jej rozpatrzeniu "
             "informujemy, że reklamacja nie została uznana. Uzasadnienie: {{ uzasadnienie }}"
             "\n\nPodstawa prawna: {{ podstawa_prawna }}.\n\nJeżeli nie zgadzają się Państwo z "
             "tym rozstrzygnięciem, mogą Państwo złożyć odwołanie w oddziale lub "
             "odpowiadając na to pismo, a także skorzystać z pozasądowych sposobów "
             "rozpatrywania sporów (np. rzecznik konsumentów)." + _SIGNATURE},
    {"code": "completion", "kind": "completion", "outcome": "",
     "name": "Wezwanie do uzupełnienia reklamacji",
     "subject": "Uzupełnienie reklamacji {{ numer }}",
     "body": "Szanowni Państwo,\n\nw związku z reklamacją nr {{ numer }} z dnia "
             "{{ data_przyjecia }} dotyczącą: {{ produkt }} prosimy o jej uzupełnienie o:\n"
             "{{ brakujace }}\n\nProsimy o uzupełnienie do dnia {{ termin_uzupelnienia }} — w "
             "oddziale, odpowiadając na tę wiadomość lub listownie, podając numer "
             "reklamacji." + _SIGNATURE},
]


def install() -> int:
    """Create the letters that are missing (never overwrite HQ's edits); how many."""
    from punkt.complaints.models import LetterTemplate

    have = set(LetterTemplate.objects.values_list("code", flat=True))
    rows = [LetterTemplate(**t) for t in LETTER_TEMPLATES if t["code"] not in have]
    LetterTemplate.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
