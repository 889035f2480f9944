"""Synthetic structures, GES groups and persons shaped on published IAE figures, from a seed.

Pure: no I/O. The same seed and `today` always give the same network, so a demo or a load test
can be replayed. Figures: DARES, « L'insertion par l'activité économique en 2023 » (about 5,300
SIAE; employees ACI 44 %, AI 30 %, EI 13 %, ETTI 12 %).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from shared.domain.codes import CONVENTIONED_KINDS
from shared.domain.identifiers import luhn_ok
from shared.domain.territories import DEPARTMENTS

NAMESPACE = uuid.UUID("6f1c3d1e-2a8b-4c5e-9d7f-0a1b2c3d4e5f")

# Share of pathways per kind: DARES employee shares, the remaining 1 % split (our choice) so that
# every kind of the network appears.
KIND_SHARES = {
    "ACI": 0.44,
    "AI": 0.30,
    "EI": 0.13,
    "ETTI": 0.10,
    "ETT_ESS": 0.01,
    "EITI": 0.01,
    "OSP": 0.01,
}
KIND_PREFIX = {
    "ACI": "Chantier",
    "AI": "AI",
    "EI": "EI",
    "ETTI": "ETTI",
    "ETT_ESS": "Intérim ESS",
    "EITI": "EITI",
    "OSP": "Proxim'Services",
}
STRUCTURES_PER_GROUP = 6  # about one GES for six structures (our choice)
FIRST_NAMES = {
    "F": (
        "Amina",
        "Julie",
        "Nathalie",
        "Fatou",
        "Sandrine",
        "Léa",
        "Sofia",
        "Chantal",
        "Inès",
        "Marie",
        "Aïcha",
        "Céline",
        "Emma",
        "Sylvie",
        "Khadija",
        "Laura",
    ),
    "M": (
        "Mohamed",
        "Kevin",
        "Jean",
        "Mamadou",
        "Thomas",
        "Karim",
        "Nicolas",
        "Yannick",
        "Pascal",
        "Lucas",
        "Bruno",
        "Moussa",
        "Julien",
        "Sébastien",
        "Hugo",
        "Ahmed",
    ),
}
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Diallo",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Benali",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Traoré",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Nguyen",
    "Mercier",
    "Camara",
)


@dataclass(frozen=True)
class StructureSpec:
    index: int
    siret: str
    name: str
    kind: str
    department: str
    convention_number: str | None
    pathways: int

    def body(self) -> dict:
        """The registry's POST /v1/structures body."""
        body = {
            "siret": self.siret,
            "name": self.name,
            "kind": self.kind,
            "department": self.department,
        }
        return body | (
            {"convention_number": self.convention_number} if self.convention_number else {}
        )


@dataclass(frozen=True)
class Membership:
    structure_index: int
    joined_on: date
    left_on: date | None


@dataclass(frozen=True)
class GroupSpec:
    name: str
    members: tuple[Membership, ...]


@dataclass(frozen=True)
class PersonSpec:
    first_name: str
    last_name: str
    birth_date: date
    sex: str

    def body(self) -> dict:
        """The pathways service's POST /v1/persons body."""
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
        }


def rng_for(seed: int, *parts: object) -> random.Random:
    """An independent, reproducible random stream for one part of the network."""
    return random.Random(":".join(map(str, (seed, *parts))))


def demo_id(seed: int, *parts: object) -> str:
    """A reproducible UUID: loading the same seed twice appends nothing twice."""
    return str(uuid.uuid5(NAMESPACE, ":".join(map(str, (seed, *parts)))))


def luhn_digit(digits: str) -> str:
    """The digit that makes `digits` + it pass the Luhn check (SIREN, SIRET)."""
    return next(d for d in "0123456789" if luhn_ok(digits + d))


def siret(rng: random.Random) -> str:
    """A SIRET whose SIREN and whole number both pass the Luhn check (INSEE)."""
    siren = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    siren += luhn_digit(siren)
    nic = "".join(str(rng.randint(0, 9)) for _ in range(4))
    return siren + nic + luhn_digit(siren + nic)


def allocate(total: int, shares: dict[str, float], minimum: int = 0) -> dict[str, int]:
    """Split `total` by shares, each key first getting `minimum`, then largest remainders first."""
    rest = max(0, total - minimum * len(shares))
    exact = {k: rest * s / sum(shares.values()) for k, s in shares.items()}
    counts = {k: minimum + int(v) for k, v in exact.items()}
    by_remainder = sorted(exact, key=lambda k: exact[k] - int(exact[k]), reverse=True)
    for key in by_remainder[: max(0, total - sum(counts.values()))]:
        counts[key] += 1
    return counts


def structures(seed: int, count: int, pathways: int) -> list[StructureSpec]:
    """`count` structures of every kind across départements, with their share of `pathways`."""
    kinds = allocate(count, KIND_SHARES, minimum=1 if count >= len(KIND_SHARES) else 0)
    per_kind = allocate(pathways, {k: KIND_SHARES[k] for k in kinds if kinds[k]})
    specs: list[StructureSpec] = []
    for kind, n in kinds.items():
        shares = _spread(per_kind.get(kind, 0), n)
        specs.extend(_structure(seed, len(specs), kind, share) for share in shares)
    return specs


def _spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal integers."""
    return [total // parts + (i < total % parts) for i in range(parts)] if parts else []


def _structure(seed: int, index: int, kind: str, pathways: int) -> StructureSpec:
    rng = rng_for(seed, "structure", index)
    department = rng.choice(sorted(DEPARTMENTS))
    convention = (
        f"{kind}{department}{rng.randint(10000, 99999)}" if kind in CONVENTIONED_KINDS else None
    )
    name = f"{KIND_PREFIX[kind]} {DEPARTMENTS[department]} n° {index + 1}"
    return StructureSpec(index, siret(rng), name, kind, department, convention, pathways)


def groups(seed: int, specs: list[StructureSpec], today: date) -> list[GroupSpec]:
    """GES of 2 to 5 structures each; about a quarter of memberships end, some rejoin later."""
    rng = rng_for(seed, "groups")
    pool = [s.index for s in specs]
    rng.shuffle(pool)
    found: list[GroupSpec] = []
    while len(pool) >= 2 and len(found) < max(1, len(specs) // STRUCTURES_PER_GROUP):
        size = rng.randint(2, 5)
        members, pool = pool[:size], pool[size:]
        town = DEPARTMENTS[specs[members[0]].department]
        found.append(
            GroupSpec(
                f"GES {town} solidaire {len(found) + 1}", tuple(_memberships(rng, members, today))
            )
        )
    return found


def _memberships(rng: random.Random, members: list[int], today: date) -> Iterator[Membership]:
    for index in members:
        joined_on = today - timedelta(days=rng.randint(300, 1100))
        if rng.random() >= 0.25:
            yield Membership(index, joined_on, None)
            continue
        left_on = joined_on + timedelta(days=rng.randint(60, 250))
        yield Membership(index, joined_on, left_on)
        if rng.random() < 0.5:  # a structure may rejoin its GES later (history kept)
            yield Membership(index, left_on + timedelta(days=rng.randint(10, 40)), None)


def person(rng: random.Random, age: int, on: date) -> PersonSpec:
    """A person aged `age` on `on`, with a plausible French name."""
    sex = "M" if rng.random() < 0.6 else "F"
    birth_date = on - timedelta(days=365 * age + rng.randint(10, 350))
    return PersonSpec(rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES), birth_date, sex)
