"""`seed_demo --retirees N` for any N from 0 up, and a clear refusal below 0."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from yinling.registry.models import Retiree
from yinling.timebank import ledger
from yinling.timebank.models import ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: pytest.FixtureRequest) -> None:
    # The demo accounts' PBKDF2 hashes would cost most of each run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 20])
def test_it_seeds_any_number_of_retirees(n: int) -> None:
    out = io.StringIO()
    call_command("seed_demo", "--quiet", "--retirees", str(n), stdout=out)
    assert "demo data ready" in out.getvalue()
    assert Retiree.objects.count() == n
    drifts, total, unbalanced = ledger.verify()
    assert drifts == [] and total == 0 and unbalanced == []
    if n == 0:
        assert not ServiceRequest.objects.exists()


def test_it_refuses_a_negative_number_of_retirees() -> None:
    with pytest.raises(CommandError, match="0 or more"):
        call_command("seed_demo", "--quiet", "--retirees", "-1", stdout=io.StringIO())
    assert not Retiree.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_seeds_every_module_after_a_registry_seeded_in_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large seed on PostgreSQL fills the registry in worker processes once its transaction commits: the
    modules seeded after it (time bank, volunteering) must find those retirees, not an empty registry."""
    from yinling.registry import demo as registry_demo
    from yinling.volunteering.models import Volunteer

    monkeypatch.setattr(registry_demo, "PARALLEL_FROM", 40)  # the worker-process path, at a test's size
    out = io.StringIO()
    call_command("seed_demo", "--retirees", "80", stdout=out)
    assert Retiree.objects.count() == 80
    assert Volunteer.objects.exists(), out.getvalue()
    assert "no retirees on register" not in out.getvalue()
