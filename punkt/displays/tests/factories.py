"""Building blocks of the displays' tests: an HQ display guide, guidance, photos and a task
in each state."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.displays import services
from punkt.displays.images import png
from punkt.displays.models import DisplayTask


def photo(name: str = "witryna.png", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if data is None else data,
                              content_type="image/png")


def guide(world: Any, *, branch: Any = None, kind: str = "display_guide",
          title: str = "Witryna zimowa") -> Any:
    """An HQ material of a display kind published to every branch (or one); its file is a
    photo."""
    from punkt.contracts.tests.factories import publish

    return publish(world, kind, png(), "wzor-witryny.png", branch=branch, title=title)


def guidance(world: Any, *, actor: Any = None, version: Any = None, photos: Any = (),
             **data: Any) -> Any:
    actor = actor or world.expert
    version = version or guide(world)
    values: dict[str, Any] = {
        "title": "Zimowa witryna", "instructions": "Plakat na środku, dekoder po lewej.",
        "material": version.material_id,
        "due_on": timezone.localdate() + datetime.timedelta(days=7)}
    if actor == world.expert and "branch_ids" not in data:
        values["all_branches"] = True
    values.update(data)
    return services.guidance_issue(actor=actor, data=values, photos=list(photos))


def task(world: Any, state: str = "todo", *, branch: Any = None, g: Any = None) -> DisplayTask:
    """A's (or ``branch``'s) task of HQ guidance, moved to ``state`` by A's people:
    completed by the service employee, checked by HQ."""
    g = g or guidance(world)
    branch = branch or world.a
    t = DisplayTask.objects.get(guidance=g, branch=branch)
    doer = world.service_a if branch == world.a else world.service_b
    if state in ("completed", "accepted", "returned"):
        services.task_complete(actor=doer, task_id=t.pk, photos=[photo()], comment="Gotowe")
    if state == "accepted":
        services.task_check(actor=world.expert, task_id=t.pk, action="accept")
    if state == "returned":
        services.task_check(actor=world.expert, task_id=t.pk, action="return",
                            reason="Brak ulotek")
    t.refresh_from_db()
    assert t.status == state
    return t
