#!/usr/bin/env python
"""Publishing an HQ material to every branch, and the branch inbox, timed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_materials.py [--publish 20] [--n 200]

Needs the organisation from gen_org.py (500 branches). Publishes --publish versions of a
1 MB PDF to all branches through the service (the same call as the page and the API) and
times each, from the call to the commit: after it, every branch's inbox lists the
version. Then the inbox page and its API for a branch manager (p50/p95, queries), with
the materials published so far (≈ --publish versions of a few materials).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from run_org import ADMIN, MANAGER, Scenario, arguments, logged_in, report  # noqa: E402

from punkt.materials import selectors, services  # noqa: E402
from punkt.materials.models import Delivery, Material  # noqa: E402
from punkt.organization.models import Branch, BranchKind, Employee  # noqa: E402
from punkt.organization.services import api_token_create  # noqa: E402

PDF = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n"
EXPERT = "ekspert@punkt-bench.pl"
PRICES = ("kod;nazwa;cena brutto;VAT\n" + "".join(
    f"P-{i:04d};Usługa {i};{19 + i % 80},99;23\n" for i in range(300))).encode()


def main() -> None:
    ap = arguments(__doc__, password=False)
    ap.add_argument("--publish", type=int, default=20, help="versions to publish")
    args = ap.parse_args()
    expert = Employee.objects.filter(email=EXPERT).first()
    manager = Employee.objects.filter(email=MANAGER).first()
    if expert is None or manager is None:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    branches = Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True).count()
    kinds = ["price_list", "promo", "contract_template", "manual"]
    materials = [Material.objects.filter(title=f"Bench {k}").first() or
                 services.material_create(actor=expert, kind=k, title=f"Bench {k}")
                 for k in kinds]
    times = []
    for i in range(args.publish):
        m = materials[i % len(materials)]
        upload = (SimpleUploadedFile("cennik.csv", PRICES) if m.kind == "price_list"
                  else SimpleUploadedFile("material.pdf", PDF))
        v = services.version_create(actor=expert, material_id=m.pk, uploaded=upload,
                                    valid_from=timezone.localdate(), note=f"bench {i}")
        t = time.perf_counter()
        with transaction.atomic():
            services.version_publish(actor=expert, version_id=v.pk)
        times.append((time.perf_counter() - t) * 1000)
        assert Delivery.objects.filter(version=v).count() == branches
    box = selectors.inbox(user=manager)
    assert any(item.version.pk == v.pk for item in box.current), "not in the inbox"
    s = sorted(times)
    print(f"publish to {branches} branches (version_create excluded), {len(s)} times: "
          f"p50 {statistics.median(s):.1f} ms, p95 {s[max(0, int(len(s) * 0.95) - 1)]:.1f} ms, "
          f"max {s[-1]:.1f} ms — the branches' inboxes list it right after the commit\n")
    admin = Employee.objects.get(email=ADMIN)
    _t, secret = api_token_create(actor=admin, name="bench-materials")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    manager_c, expert_c = logged_in(MANAGER), logged_in(EXPERT)
    from django.test import Client

    api_c = Client()
    last = Material.objects.get(title="Bench price_list").versions.order_by("-number").first()
    scenarios = [
        Scenario("inbox page — branch manager", lambda i: manager_c.get("/materials/"), 200),
        Scenario("dashboard — branch manager (with “New from HQ”)",
                 lambda i: manager_c.get("/"), 200),
        Scenario("open the newest price list — manager",
                 lambda i: manager_c.get(f"/materials/versions/{last.pk}/file/"), 200),
        Scenario("delivery report (all branches) — HQ expert",
                 lambda i: expert_c.get(f"/materials/manage/versions/{last.pk}/deliveries/"),
                 200),
        Scenario("API GET /api/v1/materials/inbox (token, admin)",
                 lambda i: api_c.get("/api/v1/materials/inbox", **bearer), 200),
    ]
    report(scenarios, args, f"{branches} branches, {Material.objects.count()} materials, "
                             f"{Delivery.objects.count():,} delivery rows")


if __name__ == "__main__":
    main()
