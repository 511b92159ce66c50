"""No plain ID number or phone ever reaches the database, anywhere; keys rotate."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from yinling.accounts import roles
from yinling.registry import idcard, services
from yinling.registry.filters import search_q
from yinling.registry.models import FamilyContact, Retiree
from yinling.registry.validation import clean_record
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db

ID_FORM = idcard.make("330106", dt.date(1951, 4, 2), 201, "M")
ID_API = idcard.make("330106", dt.date(1952, 5, 3), 301, "F")
ID_SERVICE = idcard.make("330106", dt.date(1953, 6, 4), 401, "M")
ID_15 = idcard.make("330106", dt.date(1954, 7, 5), 501, "F")  # entered in its old 15-digit form
PHONE_FORM, PHONE_API, PHONE_SERVICE = "13912345678", "13787654321", "15011223344"
PHONE_CONTACT, PHONE_EDITED, LANDLINE = "13655556666", "18899990000", "0571-87654321"
ADDRESS, HEALTH = "杭州市西湖区文三路178号3幢402室", "冠心病支架术后"


def database_text() -> str:
    """Every value of every row of every table, as text (raw SQL: nothing is decrypted)."""
    chunks = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cur.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    if value is not None:
                        chunks.append(str(value))
    return "\n".join(chunks)


def secrets_of(number: str) -> list[str]:
    """What must never be stored: the number in full, and any run of it longer than the masks show."""
    return [number, number.lower(), number[:14], number[6:], number[-8:], number[6:14] + number[14:17]]


def phone_secrets(phone: str) -> list[str]:
    digits = phone.replace("-", "")
    return [phone, digits, digits[:7], digits[3:]]  # the mask 139****5678 shows the first 3 and last 4


def test_it_stores_no_plain_id_number_or_phone(personas: Personas) -> None:
    owner = login_client(personas.owner)
    # 1. The web form, with a family contact.
    form = {
        "org": personas.tree.unit_a.pk,
        "name": "张建国",
        "id_number": ID_FORM,
        "category": "tuixiu",
        "ethnic": "01",
        "phone": PHONE_FORM,
        "address": ADDRESS,
        "health_notes": HEALTH,
        "version": "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-relation": "女儿",
        "contacts-0-name": "张丽",
        "contacts-0-phone": PHONE_CONTACT,
    }
    response = owner.post("/registry/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    # 2. The API.
    api = APIClient()
    api.force_authenticate(personas.owner)
    created = api.post(
        "/api/v1/retirees/",
        {"org": "330106", "name": "李梅", "id_number": ID_API, "category": "退休", "phone": PHONE_API},
        format="json",
    )
    assert created.status_code == 201, created.content
    # 3. The service, as imports and scripts call it; and an old 15-digit number.
    raw = {"name": "王强", "id_number": ID_SERVICE, "category": "退休", "phone": PHONE_SERVICE, "address": ADDRESS}
    services.do_create_retiree(by=personas.owner, org=personas.tree.unit_a, values=clean_record(raw).values)
    fifteen = ID_15[:6] + ID_15[8:17]
    api.post(
        "/api/v1/retirees/",
        {"org": "330106", "name": "赵敏", "id_number": fifteen, "category": "tuixiu", "phone": LANDLINE},
        format="json",
    )
    # Changes, reveals, searches and exports leave audit records: none may hold a plain value.
    person = Retiree.objects.get(name="张建国")
    edit = owner.get(f"/registry/{person.pk}/edit/")
    assert edit.status_code == 200
    data = {k: v for k, v in form.items() if not k.startswith("contacts-")}
    data.update(phone=PHONE_EDITED, version=person.version, **{
        "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "1", "contacts-0-id": person.contacts.get().pk,
        "contacts-0-relation": "女儿", "contacts-0-name": "张丽", "contacts-0-phone": "13655557777",
    })  # fmt: skip
    assert owner.post(f"/registry/{person.pk}/edit/", data).status_code == 302
    owner.get(f"/registry/{person.pk}/?reveal=1")
    api.get("/api/v1/retirees/")
    api.get(f"/api/v1/retirees/{person.pk}/")
    for query in (ID_FORM, PHONE_EDITED, fifteen):
        assert owner.get(f"/registry/?q={query}").status_code == 200
        assert owner.get(f"/registry/?q={query}&export=xlsx").status_code == 200
        api.get(f"/api/v1/retirees/?q={query}")
    clerk = login_client(make_user("clerk", personas.tree.county_a, roles.CLERK))
    clerk.get(f"/registry/{person.pk}/?reveal=1")

    # Everything decrypts for the application …
    person.refresh_from_db()
    assert (person.id_number, person.phone, person.address) == (ID_FORM, PHONE_EDITED, ADDRESS)
    assert Retiree.objects.get(name="赵敏").id_number == ID_15
    # … while the database holds none of it.
    dump = database_text()
    assert "张建国" in dump and person.id_masked in dump  # the scan does see the tables
    for number in (ID_FORM, ID_API, ID_SERVICE, ID_15):
        for secret in secrets_of(number):
            assert secret not in dump, f"ID number {number}: {secret} is stored"
    assert fifteen not in dump
    for phone in (PHONE_FORM, PHONE_API, PHONE_SERVICE, PHONE_CONTACT, PHONE_EDITED, "13655557777", LANDLINE):
        for secret in phone_secrets(phone):
            assert secret not in dump, f"phone {phone}: {secret} is stored"
    for text in (ADDRESS, "文三路178号", HEALTH):
        assert text not in dump


def test_it_masks_sensitive_changes_in_the_audit_trail(personas: Personas) -> None:
    from yinling.audit.models import AuditRecord

    raw = {"name": "王强", "id_number": ID_SERVICE, "category": "tuixiu", "phone": PHONE_SERVICE}
    person = services.do_create_retiree(by=personas.owner, org=personas.tree.unit_a, values=clean_record(raw).values)
    services.do_update_retiree(by=personas.owner, retiree=person, values={"phone": PHONE_EDITED}, expected_version=1)
    change = AuditRecord.objects.filter(action="update", object_id=str(person.pk)).latest("id")
    assert change.changes["phone"] == ["150****3344", "188****0000"]
    created = AuditRecord.objects.get(action="create", object_type="registry.retiree", object_id=str(person.pk))
    assert ID_SERVICE not in str(created.changes) and idcard.mask(ID_SERVICE) in str(created.changes)


# --- key rotation -------------------------------------------------------------------------------


def make_people(personas: Personas, count: int) -> list[Retiree]:
    from yinling.registry.demo import make_retiree

    people = []
    for i in range(count):
        person, contacts = make_retiree(50 + i, personas.tree.unit_a, "330106")
        person.save()
        for c in contacts:
            c.retiree = person
            c.save()
        people.append(person)
    return people


def raw_tokens() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, address FROM registry_retiree")
        rows = cur.fetchall()
        cur.execute("SELECT phone FROM registry_familycontact")
        rows += cur.fetchall()
    return {v for row in rows for v in row if v}


def test_it_rotates_the_encryption_key(personas: Personas) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        people = make_people(personas, 5)
    plain = {p.pk: (p.id_number, p.phone, p.address, p.health_notes) for p in people}
    phones = sorted(FamilyContact.objects.values_list("phone_masked", flat=True))
    before = raw_tokens()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        # Both keys configured: old values still read, new ones are written under the new key.
        assert Retiree.objects.get(pk=people[0].pk).id_number == plain[people[0].pk][0]
        out = io.StringIO()
        call_command("rotate_field_key", "--batch-size", "2", stdout=out)
    report = out.getvalue()
    assert re.search(r"registry\.Retiree: 5 rows", report)
    assert re.search(r"registry\.FamilyContact: \d+ rows", report)
    assert not before & raw_tokens()  # every token was rewritten
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        for person in Retiree.objects.all():
            assert (person.id_number, person.phone, person.address, person.health_notes) == plain[person.pk]
        assert sorted(FamilyContact.objects.values_list("phone_masked", flat=True)) == phones
        for contact in FamilyContact.objects.all():
            assert contact.phone and contact.phone_masked == contact.phone[:3] + "****" + contact.phone[-4:]
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]), pytest.raises(ValueError, match="decrypt"):
        Retiree.objects.get(pk=people[0].pk).id_number


def test_it_converts_fernet_tokens_from_older_versions(personas: Personas) -> None:
    key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[key]):
        [person] = make_people(personas, 1)
        legacy = Fernet(key.encode()).encrypt(person.id_number.encode()).decode()
        with connection.cursor() as cur:  # as a version before v2 stored it
            cur.execute("UPDATE registry_retiree SET id_number = %s WHERE id = %s", [legacy, person.pk])
        assert Retiree.objects.get(pk=person.pk).id_number == person.id_number  # still reads
        call_command("rotate_field_key", stdout=io.StringIO())
        with connection.cursor() as cur:
            cur.execute("SELECT id_number FROM registry_retiree WHERE id = %s", [person.pk])
            token = cur.fetchone()[0]
        assert token.startswith("v2:") and Retiree.objects.get(pk=person.pk).id_number == person.id_number


def test_it_stops_on_a_value_no_configured_key_can_read(personas: Personas) -> None:
    lost = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[lost]):
        make_people(personas, 1)
    other = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[other]), pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("rotate_field_key", stdout=io.StringIO())
    with override_settings(FIELD_ENCRYPTION_KEYS=[lost]):
        assert Retiree.objects.get().id_number  # the failed batch changed nothing


def test_it_recomputes_lookup_hashes_with_rehash(personas: Personas) -> None:
    [person] = make_people(personas, 1)
    with override_settings(FIELD_HASH_KEY="a-new-hash-key"):
        # Under a new hash key the stored hashes no longer match …
        assert not Retiree.objects.filter(search_q(person.id_number)).exists()
        out = io.StringIO()
        call_command("rotate_field_key", "--rehash", stdout=out)
        assert "lookup hashes of 1 retirees" in out.getvalue()
        # … until --rehash recomputes them: exact ID, last 6 and phone searches work again.
        for query in (person.id_number, person.id_number[-6:], person.phone):
            assert list(Retiree.objects.filter(search_q(query))) == [person], query
    assert not Retiree.objects.filter(search_q(person.id_number)).exists()
