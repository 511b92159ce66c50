"""The lottery's algorithm, pure Python with no database, so anyone can re-run it from the published
inputs and the revealed seed (`manage.py verify_lottery`, the public page's description, docs).

In plain words:

1. Each applicant has an anonymised key. Their draw number is SHA-256 of the text "<seed>:<key>", read as
   a hexadecimal number. Applicants are put in order: priority group first (returning students where the
   school gives them priority), then by draw number, smallest first.
2. Seats are handed out in rounds, as many rounds as the per-person limit. In each round, applicants take
   turns in that order; on their turn an applicant gets their best-ranked choice that still has a free seat
   and is not at the same time as a class they have already won. Each applicant wins at most one class a
   round, so the first in line cannot take every seat they asked for before others get one.
3. Every choice an applicant did not win goes on that class's waitlist, in the same order, when the class
   keeps one, is full and does not clash with a class they won, at most `limit` waitlists a person. (A class
   with a seat left after the draw has no waitlist: whoever did not take the seat could not use it.)

Nothing else is random and nothing depends on the order of the inputs: the same seed and inputs always
give the same results.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

ALGORITHM = "rounds-v1"


@dataclass
class Applicant:
    key: str
    choices: list[int]  # section ids, best first
    tier: int = 1  # 0: priority (returning students), 1: everyone else


@dataclass
class Inputs:
    seed: str
    limit: int
    seats: dict[int, int]  # section id -> free seats at the draw
    waitlist: set[int] = field(default_factory=set)  # sections that keep a waitlist
    slots: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)  # id -> [(weekday, "HH:MM", "HH:MM")]
    applicants: list[Applicant] = field(default_factory=list)


@dataclass(frozen=True)
class Result:
    section: int
    applicant: str
    status: str  # "enrolled" | "waitlisted"
    position: int | None


def draw_number(seed: str, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def seed_sha256(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def _clash(a: list[tuple[int, str, str]], b: list[tuple[int, str, str]]) -> bool:
    return any(x[0] == y[0] and x[1] < y[2] and y[1] < x[2] for x in a for y in b)


def order(inputs: Inputs) -> list[Applicant]:
    return sorted(inputs.applicants, key=lambda a: (a.tier, draw_number(inputs.seed, a.key), a.key))


def draw(inputs: Inputs) -> list[Result]:
    """The results: who won which class, and the waitlists in draw order."""
    line = order(inputs)
    free = dict(inputs.seats)
    slots = inputs.slots
    won: dict[str, list[int]] = {a.key: [] for a in line}
    for _round in range(inputs.limit):
        for applicant in line:
            mine = won[applicant.key]
            if len(mine) >= inputs.limit:
                continue
            for section in applicant.choices:
                if section in mine or free.get(section, 0) <= 0:
                    continue
                if any(_clash(slots.get(section, []), slots.get(w, [])) for w in mine):
                    continue
                free[section] -= 1
                mine.append(section)
                break
    results: list[Result] = []
    waiting: dict[int, int] = {}
    for applicant in line:
        mine = won[applicant.key]
        for section in mine:
            results.append(Result(section, applicant.key, "enrolled", None))
        queued = 0
        for section in applicant.choices:
            if section in mine or section not in inputs.waitlist or queued >= inputs.limit:
                continue
            if free.get(section, 0) > 0:
                continue  # seats left: nobody waits for a class that is not full
            if any(_clash(slots.get(section, []), slots.get(w, [])) for w in mine):
                continue
            waiting[section] = waiting.get(section, 0) + 1
            queued += 1
            results.append(Result(section, applicant.key, "waitlisted", waiting[section]))
    results.sort(key=lambda r: (r.section, r.status != "enrolled", r.position or 0, r.applicant))
    return results


# --- the published form ------------------------------------------------------------------------


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def inputs_to_json(inputs: Inputs) -> str:
    """The inputs as published (without the seed, which is published beside them once drawn)."""
    return canonical(
        {
            "algorithm": ALGORITHM,
            "limit": inputs.limit,
            "seats": {str(k): v for k, v in sorted(inputs.seats.items())},
            "waitlist": sorted(inputs.waitlist),
            "slots": {str(k): [list(s) for s in v] for k, v in sorted(inputs.slots.items())},
            "applicants": [
                {"key": a.key, "tier": a.tier, "choices": a.choices}
                for a in sorted(inputs.applicants, key=lambda a: a.key)
            ],
        }
    )


def inputs_from_json(text: str, seed: str) -> Inputs:
    data = json.loads(text)
    return Inputs(
        seed=seed,
        limit=int(data["limit"]),
        seats={int(k): int(v) for k, v in data["seats"].items()},
        waitlist={int(s) for s in data["waitlist"]},
        slots={int(k): [(int(w), str(s), str(e)) for w, s, e in v] for k, v in data["slots"].items()},
        applicants=[Applicant(a["key"], [int(c) for c in a["choices"]], int(a["tier"])) for a in data["applicants"]],
    )


def results_to_json(results: list[Result]) -> str:
    return canonical(
        [{"section": r.section, "applicant": r.applicant, "status": r.status, "position": r.position} for r in results]
    )


def digest(results_json: str) -> str:
    return hashlib.sha256(results_json.encode()).hexdigest()
