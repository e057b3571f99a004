"""The sales stages of seed 003 as a company starts with them (HQ may change them): what
each requires before it is left and its reasons of refusal, plus reasons for any stage."""

from __future__ import annotations

from typing import Any

STAGES = [
    # code, name, probability, required to leave it, reasons of refusal
    ("presentation", "Prezentacja", 10, ["minutes"],
     ["Klient odmówił prezentacji", "Brak potrzeby", "Brak kontaktu z klientem"]),
    ("offer", "Oferta", 30, ["amount", "offer_valid", "offer_sent"],
     ["Cena za wysoka", "Wybrał ofertę konkurencji", "Oferta nie odpowiada potrzebom"]),
    ("agreement", "Porozumienie", 60, ["expected_close"],
     ["Brak zgody wszystkich osób decyzyjnych", "Warunki umowy nie do przyjęcia"]),
    ("payment", "Zapłata", 80, ["invoice_due"],
     ["Brak płatności", "Rezygnacja po przedpłacie (zwrot)"]),
    ("event", "Realizacja", 90, ["event"], ["Rezygnacja przed realizacją"]),
    ("closing", "Zamknięcie", 100, ["survey", "next_contact"], []),
]
ANY_STAGE = ["Klient zrezygnował bez podania przyczyny", "Inny powód"]


def install(Stage: Any, LossReason: Any) -> None:  # noqa: N803 - models, possibly historical
    """The stages and reasons, when there are no stages yet."""
    if Stage.objects.exists():
        return
    for position, (code, name, probability, requires, reasons) in enumerate(STAGES, 1):
        stage = Stage.objects.create(code=code, name=name, position=position * 10,
                                     probability=probability, requires=requires)
        for n, label in enumerate(reasons, 1):
            LossReason.objects.create(stage=stage, label=label, position=n)
    for n, label in enumerate(ANY_STAGE, 100):
        LossReason.objects.create(stage=None, label=label, position=n)
