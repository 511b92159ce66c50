from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from yinling.orgs.models import Org
from yinling.orgs.services import load_divisions
from yinling.testing.personas import Tree, make_org

pytestmark = pytest.mark.django_db


def test_it_builds_paths_from_codes(tree: Tree) -> None:
    assert tree.unit_a.path == "330000/330100/330106/330106U01/"
    assert tree.unit_a.depth == 3
    assert [o.code for o in tree.unit_a.ancestors()] == ["330000", "330100", "330106"]


def test_it_selects_a_subtree_without_sibling_prefix_matches(tree: Tree) -> None:
    lookalike = make_org("3301001", "前缀相同的单位", Org.Kind.UNIT, tree.province)
    codes = set(tree.city_a.subtree().values_list("code", flat=True))
    assert codes == {"330100", "330106", "330106U01"}
    assert lookalike.code not in codes


def test_it_moves_a_subtree_in_one_go(tree: Tree) -> None:
    tree.county_a.parent = tree.city_b
    tree.county_a.save()
    tree.unit_a.refresh_from_db()
    assert tree.unit_a.path == "330000/330200/330106/330106U01/"
    assert set(tree.city_b.subtree().values_list("code", flat=True)) == {"330200", "330212", "330106", "330106U01"}
    assert set(tree.city_a.subtree().values_list("code", flat=True)) == {"330100"}


def test_it_records_the_descendants_a_move_rewrites(tree: Tree) -> None:
    from yinling.audit.models import AuditRecord

    tree.county_a.parent = tree.city_b
    tree.county_a.save()
    moves = AuditRecord.objects.filter(object_type="orgs.org", object_id=str(tree.county_a.pk), action="update")
    assert moves.filter(changes__has_key="parent_id").exists()  # the org itself, by its signal
    subtree = moves.get(extra__event="subtree_moved")
    assert subtree.extra["descendants"] == 1 and subtree.extra["to"] == "330000/330200/330106/"
    assert subtree.org_path == "330000/330200/330106/"


def test_it_renames_a_code_and_rewrites_descendants(tree: Tree) -> None:
    tree.county_a.code = "330199"
    tree.county_a.save()
    tree.unit_a.refresh_from_db()
    assert tree.unit_a.path == "330000/330100/330199/330106U01/"


def test_it_refuses_a_move_under_its_own_descendant(tree: Tree) -> None:
    tree.city_a.parent = tree.unit_a
    with pytest.raises(ValidationError):
        tree.city_a.save()
    tree.city_a.refresh_from_db()
    assert tree.city_a.path == "330000/330100/"


def test_it_serves_the_subtree_query_from_an_index(tree: Tree) -> None:
    qs = Org.objects.filter(path__under=tree.city_a.path)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cur.fetchall())
            assert "USING INDEX" in plan and "path" in plan, plan
        else:
            cur.execute("SET enable_seqscan = off")
            cur.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cur.fetchall())
            cur.execute("SET enable_seqscan = on")
            assert "Index" in plan and "path" in plan, plan


def test_it_loads_divisions_idempotently(db: None) -> None:
    created, _updated = load_divisions()
    assert created > 3000
    assert load_divisions() == (0, 0)
    from yinling.orgs.models import Division

    xihu = Division.objects.get(code="330106")
    assert xihu.name == "西湖区" and xihu.parent_id == "330100"
    assert Division.objects.filter(code__startswith="33", level="county").count() == 90
