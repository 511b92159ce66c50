"""Certificates: what they hold (credited hours by year from counted attendance, honour hours, stars, the
issuing org, a random code), refused for a barred volunteer, and the public check that shows nothing
personal but the masked name."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from yinling.core.refusals import Refused
from yinling.testing.pdf import read_pdf
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast
from yinling.volunteering.models import Certificate, HonourHours, Volunteer
from yinling.volunteering.services import recognition
from yinling.volunteering.services.recognition import CODE_ALPHABET, CODE_LENGTH
from yinling.volunteering.tests.people_factories import H, at, served, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def veteran(cast: Cast) -> Volunteer:
    """Credited: 2024 3 h; 2025 99.5 h + 2 h (2 + 0.5 h and 1.5 h); a stay awaiting review (not counted);
    4 honour hours."""
    v = volunteer(cast.tree.unit_a, name="张三明", with_account=True)
    served(v, cast.tree.unit_a, at(2024, 12, 31, 20), 3)  # 20:00–23:00 local: still 2024
    for day in range(1, 34):
        served(v, cast.tree.county_a, at(2025, 1, day % 28 + 1, 8 + day % 3) + dt.timedelta(days=day // 28 * 31), 3)
    served(v, cast.tree.county_a, at(2025, 6, 1), 2.5)  # 2 h 30 min → 2.5
    served(v, cast.tree.county_a, at(2025, 6, 2), 1.25)  # 1 h 15 min → 1
    served(v, cast.tree.county_a, at(2025, 6, 3), 5, review="pending")
    HonourHours.objects.create(volunteer=v, served_on=dt.date(2020, 5, 1), hours=H("4"), reason="往年线下服务")
    from yinling.volunteering import hours

    hours.recompute(v)
    return v


def test_it_issues_a_certificate_with_hours_by_year(cast: Cast, veteran: Volunteer) -> None:
    cert = recognition.do_issue_certificate(by=cast.clerk, volunteer=veteran)
    assert cert.hours_by_year == {"2024": "3.00", "2025": "102.50"}
    assert cert.credited_hours == H("105.5") and cert.honour_hours == H("4") and cert.stars == 1
    assert cert.org == veteran.retiree.org and cert.issued_by == cast.clerk
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", cert.code) and CODE_LENGTH >= 12
    codes = {recognition.do_issue_certificate(by=cast.clerk, volunteer=veteran).code for _i in range(20)}
    assert len(codes) == 20


def test_it_refuses_a_barred_volunteer_a_certificate(cast: Cast, veteran: Volunteer, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), tick=False)
    Volunteer.objects.filter(pk=veteran.pk).update(barred_until=dt.date(2026, 3, 1))
    veteran.refresh_from_db()
    with pytest.raises(Refused) as exc:
        recognition.do_issue_certificate(by=cast.clerk, volunteer=veteran)
    assert exc.value.code == "barred" and "2026-03-01" in exc.value.message
    Volunteer.objects.filter(pk=veteran.pk).update(barred_until=dt.date(2026, 2, 28))  # the bar ended yesterday
    veteran.refresh_from_db()
    assert recognition.do_issue_certificate(by=cast.clerk, volunteer=veteran).pk


def test_it_lets_the_volunteer_print_their_own(cast: Cast, veteran: Volunteer) -> None:
    client = login_client(veteran.retiree.account)
    response = client.post("/volunteering/me/certificate/")
    cert = Certificate.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/volunteering/certificates/{cert.pk}/pdf/")
    other = volunteer(cast.tree.unit_a, name="李四", with_account=True)
    assert login_client(other.retiree.account).get(f"/volunteering/certificates/{cert.pk}/pdf/").status_code == 404
    assert login_client(cast.outsider).get(f"/volunteering/certificates/{cert.pk}/pdf/").status_code == 404


def test_it_prints_the_certificate_as_a_pdf(cast: Cast, veteran: Volunteer) -> None:
    from yinling.core.pdf import pdf_available

    if not pdf_available():
        pytest.skip("WeasyPrint is not installed here")
    cert = recognition.do_issue_certificate(by=cast.clerk, volunteer=veteran)
    response = login_client(cast.clerk).get(f"/volunteering/certificates/{cert.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = read_pdf(response.content).text.replace(" ", "")
    for expected in ("张三明", veteran.retiree.org.name, cert.code, "2024", "3.00", "2025", "102.50", "105.50", "4.00"):
        assert expected in text, expected


def test_it_checks_a_code_publicly_showing_nothing_personal(cast: Cast, veteran: Volunteer) -> None:
    from django.test import Client

    cert = recognition.do_issue_certificate(by=cast.clerk, volunteer=veteran)
    body = Client().get(f"/volunteering/verify/{cert.code}/").content.decode()
    assert 'id="vp-verdict"' in body and "alert-success" in body
    assert "张*明" in body and "张三明" not in body
    assert veteran.retiree.org.name in body and "105.50" in body and "4.00" in body
    r = veteran.retiree
    for personal in (r.id_number, r.id_masked, r.id_last4, r.phone, r.phone_masked, str(r.birth_date.year), r.address):
        assert personal and personal not in body, personal


def test_it_says_revoked_and_not_found_without_a_500(cast: Cast, veteran: Volunteer) -> None:
    from django.test import Client

    cert = recognition.do_issue_certificate(by=cast.clerk, volunteer=veteran)
    recognition.do_revoke_certificate(by=cast.clerk, certificate=cert, reason="误发")
    client = Client()
    body = client.get(f"/volunteering/verify/{cert.code}/").content.decode()
    assert "alert-danger" in body and "张*明" in body
    wrong = ("2" if cert.code[0] != "2" else "3") + cert.code[1:]
    for code in (wrong, "short", "x" * 200, "%E4%B8%AD"):
        assert client.get(f"/volunteering/verify/{code}/").status_code == 404, code
    assert client.get(f"/volunteering/verify/?code={cert.code.lower()}").status_code == 302
    assert client.get("/volunteering/verify/?code=nope").status_code == 404


def test_it_limits_how_often_one_address_checks(cast: Cast, veteran: Volunteer) -> None:
    from django.test import Client

    from yinling.volunteering.views_public import VERIFY_PER_MINUTE

    client = Client()
    answers = [client.get("/volunteering/verify/ABCDEFGHJKMNPQRS/").status_code for _i in range(VERIFY_PER_MINUTE + 1)]
    assert answers[:-1] == [404] * VERIFY_PER_MINUTE and answers[-1] == 429
