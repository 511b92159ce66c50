"""The public page of a term's lottery (no sign-in, GET only): anyone can check the draw was fair.

It shows the term, the seed's SHA-256 (published since the window opened), the seed once drawn, the
algorithm in plain words, the anonymised inputs (applicant key, priority group, ranked choices) and the
results (class, applicant key, status, waitlist position), a page at a time, with the whole record as JSON
and how to re-run it. Nothing personal is on it: applicant keys are HMACs only their owner is shown
(`draw.applicant_key`), class ids and names are the public catalogue's. Each address gets at most
LOTTERY_PER_MINUTE pages a minute (core.ratelimit), as the public certificate check does.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yinling.campus import lottery
from yinling.campus.api import lottery_record, published_term
from yinling.campus.models import LotteryDraw, Section, Term
from yinling.core import ratelimit

LOTTERY_PER_MINUTE = 30
PER_PAGE = 100

SNIPPET = """import hashlib, json

# lottery.json: the record downloaded from this page
record = json.load(open("lottery.json", encoding="utf-8"))
seed = record["seed"]
assert hashlib.sha256(seed.encode()).hexdigest() == record["seed_sha256"]

def draw_number(key):
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()

line = sorted(record["inputs"]["applicants"], key=lambda a: (a["tier"], draw_number(a["key"]), a["key"]))
for place, a in enumerate(line, 1):
    print(place, a["key"], a["tier"], a["choices"])
"""


def crumbs() -> list[tuple[str, str]]:
    return [(_("Lottery results"), "")]


def _too_many(request: HttpRequest) -> bool:
    return ratelimit.hit(f"campus:lottery:{request.META.get('REMOTE_ADDR', '')}", 60) > LOTTERY_PER_MINUTE


def _limited(request: HttpRequest) -> HttpResponse:
    return render(request, "campus/public/lottery.html", {"limited": True, "breadcrumbs": crumbs()}, status=429)


def full_record(term: Term) -> dict[str, Any]:
    """The API's record plus the anonymised inputs and the algorithm's name (what verify_lottery reads)."""
    record = lottery_record(term)
    done = LotteryDraw.objects.unrestricted().filter(term=term).first() if term.drawn_at else None
    record["inputs"] = json.loads(done.inputs) if done else None
    record["name"] = str(term)
    return record


@never_cache
@require_GET
def lottery_page(request: HttpRequest, pk: int) -> HttpResponse:
    if _too_many(request):
        return _limited(request)
    term = published_term(pk)
    record = full_record(term)
    results = record["results"]
    # The catalogue's names for the class ids (public: every signed-in retiree browses it).
    names = {
        s.pk: str(s)
        for s in Section.objects.unrestricted().filter(term=term).select_related("course").only("pk", "name", "course")
    }
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    inputs = (record["inputs"] or {}).get("applicants", [])
    inputs_page = Paginator(inputs, PER_PAGE).get_page(request.GET.get("ipage"))
    return render(
        request,
        "campus/public/lottery.html",
        {
            "term": term,
            "record": record,
            "is_lottery": term.mode == Term.Mode.LOTTERY,
            "results": [{**r, "name": names.get(r["section"], "")} for r in page.object_list],
            "page": page,
            "inputs": inputs_page,
            "applicant_count": len(inputs),
            "snippet": SNIPPET,
            "algorithm": lottery.ALGORITHM,
            "breadcrumbs": crumbs(),
        },
    )


@never_cache
@require_GET
def lottery_json(request: HttpRequest, pk: int) -> HttpResponse:
    if _too_many(request):
        return JsonResponse({"error": "rate_limited"}, status=429)
    term = published_term(pk)
    response = JsonResponse(
        full_record(term), encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'attachment; filename="lottery-{term.pk}.json"'
    return response
