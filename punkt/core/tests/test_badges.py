from __future__ import annotations

import pytest
from django.db import models
from django.template import Context, Template

from punkt.core.badges import tones
from punkt.core.models import AuditEvent, AuditOutcome


def test_every_member_needs_a_tone() -> None:
    class Colour(models.TextChoices):
        RED = "red", "Red"
        BLUE = "blue", "Blue"

    with pytest.raises(ValueError, match="none for \\['blue'\\]"):
        tones(red="err")(Colour)
    with pytest.raises(ValueError, match="unknown tones"):
        tones(red="err", blue="purple")(Colour)


def test_badge_takes_label_from_choices_and_colour_from_the_enum() -> None:
    event = AuditEvent(outcome=AuditOutcome.DENIED)
    html = Template('{% badge e "outcome" %}').render(Context({"e": event}))
    assert html == f'<span class="badge warn">{AuditOutcome.DENIED.label}</span>'


def test_badge_escapes_the_label() -> None:
    event = AuditEvent(outcome=AuditOutcome.OK)
    html = Template('{% badge e "outcome" testid=t %}').render(Context({"e": event, "t": "x<"}))
    assert 'data-testid="x&lt;"' in html
