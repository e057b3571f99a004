from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from punkt.core import permissions as registry
from punkt.core.roles import Role


def render_table() -> str:
    with translation.override("en"):
        roles = list(Role)
        head = "| action | " + " | ".join(str(r.label) for r in roles) + " | scope |"
        sep = "|---|" + "---|" * len(roles) + "---|"
        rows = [head, sep]
        for code in sorted(registry.REGISTRY):
            action = registry.REGISTRY[code]
            marks = " | ".join("✔" if r.value in action.roles else "" for r in roles)
            rows.append(f"| `{code}` — {action.label} | {marks} | {action.scope} |")
        # Kinds (export, cash, admin): their holders need MFA outside demo mode.
        rows += ["", "| action | kinds |", "|---|---|"]
        rows += [f"| `{code}` | {', '.join(sorted(registry.REGISTRY[code].kinds))} |"
                 for code in sorted(registry.REGISTRY) if registry.REGISTRY[code].kinds]
        mandatory = [str(r.label) for r in roles if r.value in registry.mfa_mandatory_roles()]
        rows += ["", "MFA mandatory outside demo mode (roles holding an action of kind "
                 f"{', '.join(sorted(registry.MFA_KINDS))}): {', '.join(mandatory)}."]
    return "\n".join(rows) + "\n"


class Command(BaseCommand):
    help = "Print the role × action matrix (Markdown) from the permissions registry."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(render_table(), ending="")
