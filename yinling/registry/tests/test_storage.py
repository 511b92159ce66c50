"""No plain ID number or phone ever reaches the database, anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from yinling.core.permission_tests import login_client
from yinling.core.testing import Personas
from yinling.registry import idcard
from yinling.registry.models import FamilyContact, Retiree

pytestmark = pytest.mark.django_db

ID_FORM = idcard.make("330106", dt.date(1951, 4, 2), 201, "M")
ID_API = idcard.make("330106", dt.date(1952, 5, 3), 301, "F")
PHONE_FORM, PHONE_API, PHONE_CONTACT = "13912345678", "13787654321", "13655556666"


def every_text_value() -> str:
    chunks = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cur.fetchall():
                chunks.extend(str(v) for v in row if v is not None)
    return "\n".join(chunks)


def test_it_stores_no_plain_id_number_or_phone(personas: Personas) -> None:
    client = login_client(personas.owner)
    form = {
        "org": personas.tree.unit_a.pk,
        "name": "张建国",
        "id_number": ID_FORM,
        "category": "tuixiu",
        "ethnic": "01",
        "phone": PHONE_FORM,
        "address": "杭州市西湖区文三路1号",
        "health_notes": "高血压",
        "version": "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-relation": "女儿",
        "contacts-0-name": "张丽",
        "contacts-0-phone": PHONE_CONTACT,
    }
    response = client.post("/registry/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    api = APIClient()
    api.force_authenticate(personas.owner)
    created = api.post(
        "/api/v1/retirees/",
        {"org": "330106", "name": "李梅", "id_number": ID_API, "category": "tuixiu", "phone": PHONE_API},
        format="json",
    )
    assert created.status_code == 201
    person = Retiree.objects.get(name="张建国")
    client.get(f"/registry/{person.pk}/?reveal=1")
    assert Retiree.objects.get(name="张建国").id_number == ID_FORM  # decrypts fine
    dump = every_text_value()
    for secret in (ID_FORM, ID_API, PHONE_FORM, PHONE_API, PHONE_CONTACT, ID_FORM[-8:], PHONE_FORM[3:7]):
        assert secret not in dump, secret


def test_it_rotates_the_encryption_key(personas: Personas) -> None:
    from yinling.registry.demo import make_retiree

    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        person, contacts = make_retiree(5, personas.tree.unit_a, "330106")
        person.save()
        for c in contacts:
            c.retiree = person
            c.save()
    plain, phones = person.id_number, sorted(c.phone for c in contacts)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        call_command("rotate_field_key")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert Retiree.objects.get(pk=person.pk).id_number == plain
        assert sorted(FamilyContact.objects.filter(retiree=person).values_list("phone", flat=True)) == phones
