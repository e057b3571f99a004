"""HQ's questionnaires: validation naming the field, questions fixed once customers are
invited (then a new version), only HQ designs them."""

from __future__ import annotations

from typing import Any

import pytest

from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.surveys import services
from punkt.surveys.models import Questionnaire
from punkt.surveys.tests.factories import QUESTIONS, invitation, questionnaire

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("change", "field"), [
    ({"name": " "}, "name"), ({"title_pl": ""}, "title_pl"), ({"questions": []}, "questions"),
    ({"questions": [("", "Only English")]}, "questions.1"), ({"rules": ["daily"]}, "rules"),
    ({"quiet_days": "0"}, "quiet_days"), ({"reminder_days": "x"}, "reminder_days"),
    ({"valid_days": 400}, "valid_days"), ({"product_id": 999999}, "product"),
    ({"questions": [("Pytanie", "")] * 21}, "questions")])
def test_bad_input_names_the_field(world: Any, change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        questionnaire(world, **change)
    assert refused.value.field == field
    assert not Questionnaire.objects.exists()


def test_only_hq_designs_questionnaires(world: Any) -> None:
    with pytest.raises(ActionDenied):
        services.questionnaire_save(actor=world.manager_a, name="X", title_pl="X",
                                    questions=QUESTIONS)


def test_questions_are_reordered_and_removed_until_someone_is_invited(world: Any) -> None:
    q = questionnaire(world)
    data = {"name": q.name, "title_pl": q.title_pl, "is_active": True, "rules": q.rules}
    services.questionnaire_save(actor=world.expert, questionnaire_id=q.pk,
                                questions=[QUESTIONS[1], ("Nowe pytanie", "")], **data)
    assert [x.text_pl for x in q.questions.all()] == [QUESTIONS[1][0], "Nowe pytanie"]
    invitation(world, q)
    with pytest.raises(ValidationFailed) as refused:
        services.questionnaire_save(actor=world.expert, questionnaire_id=q.pk,
                                    questions=[QUESTIONS[0]], **data)
    assert refused.value.field == "questions"
    # other settings still change
    services.questionnaire_save(actor=world.expert, questionnaire_id=q.pk,
                                questions=[QUESTIONS[1], ("Nowe pytanie", "")],
                                **{**data, "is_active": False})
    assert not Questionnaire.objects.get(pk=q.pk).is_active


def test_a_new_version_copies_the_questions_and_replaces_the_old(world: Any) -> None:
    q = questionnaire(world)
    invitation(world, q)
    new = services.questionnaire_new_version(actor=world.expert, questionnaire_id=q.pk)
    assert (new.version, new.previous_id, new.is_active) == (2, q.pk, False)
    assert [x.text_pl for x in new.questions.all()] == [x[0] for x in QUESTIONS]
    assert not Questionnaire.objects.get(pk=q.pk).is_active
    with pytest.raises(Conflict):
        services.questionnaire_new_version(actor=world.expert, questionnaire_id=q.pk)
    with pytest.raises(Conflict):
        services.questionnaire_save(actor=world.expert, questionnaire_id=q.pk, name=q.name,
                                    title_pl=q.title_pl, questions=QUESTIONS, is_active=True)
    services.questionnaire_save(actor=world.expert, questionnaire_id=new.pk, name=new.name,
                                title_pl=new.title_pl, questions=[("Inne pytanie", "")],
                                is_active=True)
    assert [x.text_pl for x in q.questions.all()] == [x[0] for x in QUESTIONS]


def test_the_question_box_is_one_question_a_line() -> None:
    assert services.parse_questions("Pierwsze | First\n\n  Drugie  \n") == [
        ("Pierwsze", "First"), ("Drugie", "")]
