"""The retiree picker: its lookup endpoint (scoped, masked, live records) and its field (server-side checks)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from yinling.accounts import roles
from yinling.core.widgets import PickerInput
from yinling.registry.lookups import RetireeField, people_for
from yinling.registry.models import Retiree, Transfer
from yinling.registry.tests.test_api import make
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db
LOOKUP = "/registry/lookup/"


@pytest.fixture
def people(personas: Personas) -> dict[str, Retiree]:
    t = personas.tree
    found = {
        "张建国": make(t.unit_a, 1, name="张建国", phone="13800135678"),
        "张建华": make(t.county_a, 2, name="张建华"),
        "张外区": make(t.county_b, 3, name="张外区"),
        "张离世": make(t.unit_a, 4, name="张离世", status="deceased", deceased_on=dt.date(2025, 1, 1)),
        "张已删": make(t.unit_a, 5, name="张已删"),
    }
    Retiree.objects.filter(pk=found["张已删"].pk).update(is_deleted=True)
    return found


def options(client: Client, query: str) -> list[tuple[str, str]]:
    response = client.get(f"{LOOKUP}?{query}")
    assert response.status_code == 200, response.content
    html = response.content.decode()
    return re.findall(r'role="option"[^>]*data-value="([^"]*)" data-label="([^"]*)"', html)


def names(client: Client, query: str) -> list[str]:
    return sorted(label.split("（")[0] for _value, label in options(client, query))


# --- the endpoint ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["张建国", "zhangjianguo", "zjg"])
def test_it_finds_by_name_pinyin_and_initials(personas: Personas, people: dict[str, Retiree], q: str) -> None:
    assert names(login_client(personas.owner), f"q={q}") == ["张建国"]


def test_it_finds_by_the_last_digits_of_the_id_number(personas: Personas, people: dict[str, Retiree]) -> None:
    zhang = people["张建国"]
    client = login_client(personas.owner)
    assert "张建国" in names(client, f"q={zhang.id_number[-4:]}")
    assert names(client, f"q={zhang.id_number[-6:]}") == ["张建国"]
    assert names(client, f"q={zhang.id_number}") == ["张建国"]


def test_it_answers_with_masks_only_whatever_the_role(personas: Personas, people: dict[str, Retiree]) -> None:
    zhang = people["张建国"]
    html = login_client(personas.owner).get(f"{LOOKUP}?q={zhang.id_number}").content.decode()
    assert zhang.id_number not in html and zhang.id_number[:14] not in html
    assert zhang.id_number[-4:] in html and "13800135678" not in html


def test_it_never_answers_outside_the_users_scope(personas: Personas, people: dict[str, Retiree]) -> None:
    assert names(login_client(personas.owner), "q=张") == ["张建华", "张建国"]
    assert names(login_client(personas.outsider), "q=张") == ["张外区"]
    clerk = make_user("unitclerk", personas.tree.unit_a, roles.CLERK)
    assert names(login_client(clerk), "q=张") == ["张建国"]


def test_it_leaves_out_deleted_records_and_people_no_longer_on_register(
    personas: Personas, people: dict[str, Retiree]
) -> None:
    client = login_client(personas.owner)
    assert "张已删" not in names(client, "q=张&status=all")
    assert names(client, "q=张&status=all") == ["张建华", "张建国", "张离世"]
    assert names(client, "q=张&status=deceased") == ["张离世"]


def test_it_refuses_what_it_does_not_know_and_users_without_the_registry(
    personas: Personas, people: dict[str, Retiree]
) -> None:
    client = login_client(personas.owner)
    assert client.get(f"{LOOKUP}?q=张&action=delete").status_code == 400
    assert client.get(f"{LOOKUP}?q=张&status=gone").status_code == 400
    assert login_client(personas.norole).get(f"{LOOKUP}?q=张").status_code == 403
    assert login_client(personas.limited).get(f"{LOOKUP}?q=张&action=change").status_code == 403
    assert Client().get(f"{LOOKUP}?q=张").status_code == 302


def test_it_offers_at_most_ten_and_says_so(personas: Personas) -> None:
    for i in range(12):
        make(personas.tree.unit_a, 100 + i, name=f"王{i:02d}")
    response = login_client(personas.owner).get(f"{LOOKUP}?q=王")
    assert response.content.decode().count('role="option"') == 10
    assert "10" in response.content.decode()


# --- the field ------------------------------------------------------------------------------------


def field_for(user: Any) -> RetireeField:
    return RetireeField(queryset=people_for(user))


@pytest.mark.parametrize(
    "value", ["abc", "1.5", "-1", "", " ", "99999999999999999999999999", "１", "1e3", "0x1", "%", "1;DROP"]
)
def test_it_refuses_a_key_that_is_no_choice_with_a_form_error(
    personas: Personas, people: dict[str, Retiree], value: str
) -> None:
    from django.core.exceptions import ValidationError

    field = field_for(personas.owner)
    field.required = True
    with pytest.raises(ValidationError):
        field.clean(value)


def test_it_refuses_people_outside_the_users_choices(personas: Personas, people: dict[str, Retiree]) -> None:
    from django.core.exceptions import ValidationError

    field = field_for(personas.owner)
    assert field.clean(str(people["张建国"].pk)) == people["张建国"]
    for outside in ("张外区", "张已删", "张离世"):
        with pytest.raises(ValidationError):
            field.clean(str(people[outside].pk))


def test_it_takes_the_one_match_of_typed_text_and_explains_several(
    personas: Personas, people: dict[str, Retiree]
) -> None:
    from django.core.exceptions import ValidationError

    field = field_for(personas.owner)
    assert field.clean(PickerInput("", "zjg")) == people["张建国"]
    with pytest.raises(ValidationError, match="2"):
        field.clean(PickerInput("", "张建"))
    with pytest.raises(ValidationError):
        field.clean(PickerInput("", "张外区"))


def test_it_lets_edited_text_win_over_a_stale_key(personas: Personas, people: dict[str, Retiree]) -> None:
    """Without JavaScript the hidden key stays when the box is edited: the text is what the user meant."""
    field = field_for(personas.owner)
    widget = field.widget
    zhang, hua = people["张建国"], people["张建华"]
    label = field.label_from_instance(zhang)
    same = widget.value_from_datadict({"p": str(zhang.pk), "p__text": label}, {}, "p")
    assert field.clean(same) == zhang
    edited = widget.value_from_datadict({"p": str(zhang.pk), "p__text": "张建华"}, {}, "p")
    assert field.clean(edited) == hua


def test_it_renders_a_labelled_combobox_with_the_chosen_person(personas: Personas, people: dict[str, Retiree]) -> None:
    from django import forms

    class Pick(forms.Form):
        person = RetireeField(label="Person")

    form = Pick(initial={"person": people["张建国"].pk})
    form.fields["person"].queryset = people_for(personas.owner)  # type: ignore[attr-defined]
    html = str(form["person"])
    assert 'role="combobox"' in html and 'aria-controls="id_person__options"' in html
    assert 'id="id_person__text"' in html and 'name="person__text"' in html
    assert f'type="hidden" name="person" id="id_person" value="{people["张建国"].pk}"' in html
    assert "张建国（" in html and 'data-lookup="/registry/lookup/"' in html
    assert form["person"].id_for_label == "id_person__text"


# --- where it is used: the moves page -------------------------------------------------------------


def test_it_filters_the_moves_by_person_and_org(personas: Personas, people: dict[str, Retiree]) -> None:
    t = personas.tree
    for person in (people["张建国"], people["张建华"]):
        Transfer.objects.create(retiree=person, from_org=person.org, to_org=t.county_b, reason="迁居", by="owner")
    client = login_client(personas.owner)

    def moved(query: str) -> list[str]:
        response = client.get(f"/registry/moves/?{query}")
        assert response.status_code == 200
        return sorted(row.retiree.name for row in response.context["rows"])

    assert moved("") == ["张建华", "张建国"]
    assert moved(f"person={people['张建国'].pk}") == ["张建国"]
    assert moved("person=&person__text=zjg") == ["张建国"]
    assert moved("org=330106U01") == ["张建国"]
    assert moved("person=abc") == [] and moved(f"person={people['张外区'].pk}") == []
    assert moved("person=99999999999999999999999") == []


# --- where the org picker is used in the registry -------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "", "NOPE", "330106S99"])
def test_it_refuses_a_bad_destination_with_a_form_error(
    personas: Personas, people: dict[str, Retiree], value: str
) -> None:
    zhang = people["张建国"]
    response = login_client(personas.owner).post(f"/registry/{zhang.pk}/move/", {"to_org": value, "reason": "迁居"})
    assert response.status_code == 200 and response.context["form"].errors["to_org"]
    assert not Transfer.objects.exists()


def test_it_moves_to_an_org_typed_by_name_without_javascript(personas: Personas, people: dict[str, Retiree]) -> None:
    zhang = people["张建国"]
    response = login_client(personas.owner).post(
        f"/registry/{zhang.pk}/move/", {"to_org": "", "to_org__text": "鄞州区委老干部局", "reason": "随子女迁居"}
    )
    assert response.status_code == 302
    assert Transfer.objects.get().to_org == personas.tree.county_b


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "-3"])
def test_it_refuses_a_bad_managing_org_on_the_record_form(
    personas: Personas, people: dict[str, Retiree], value: str
) -> None:
    response = login_client(personas.owner).post("/registry/add/", {"org": value, "name": "王五", "category": "tuixiu"})
    assert response.status_code == 200 and response.context["form"].errors["org"]


def test_it_offers_the_record_form_the_orgs_where_the_user_may_add(personas: Personas) -> None:
    html = login_client(personas.owner).get("/registry/add/").content.decode()
    assert 'data-lookup="/orgs/_lookup/?key=pk&amp;for=registry.retiree&amp;action=add"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("org=330106U01", ["张建国"]),
        ("org=&org__text=西湖区财政", ["张建国"]),
        ("org=330106", ["张建华", "张建国"]),
        ("org=330212", []),
        ("org=abc", []),
    ],
)
def test_it_filters_the_list_by_a_chosen_org(
    personas: Personas, people: dict[str, Retiree], query: str, expected: list[str]
) -> None:
    response = login_client(personas.owner).get(f"/registry/?{query}")
    assert response.status_code == 200
    assert sorted(row.record.name for row in response.context["table"].rows) == expected
