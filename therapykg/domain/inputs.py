"""Checking what a person asked for: ids that must name a therapy (or a
finding, or a label version), choices from a fixed list, comparison aspects.
Wrong input raises :class:`UserInputError` with the reason and, for an
unknown id, the closest known one. Every surface checks input here."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from therapykg.domain.compare import Aspect, Scope
from therapykg.domain.dosing import SETTINGS
from therapykg.domain.ids import UserInputError, to_id, to_iri
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import RDF_TYPE
from therapykg.namespaces import TKG


async def known(loaders: Loaders, identifier: str, classes: tuple[str, ...], noun: str) -> str:
    """The IRI of ``identifier`` when it names an instance of one of ``classes``.

    :raises UserInputError: it does not, naming the closest instance there is.
    """
    iri = to_iri(identifier)
    (node,) = await loaders.nodes([iri])
    if any(node.is_a(c) for c in classes):
        return iri
    members = [m for c in classes for m in await loaders.referring(RDF_TYPE, TKG + c)]
    names = {to_id(m).split(":", 1)[-1]: to_id(m).split(":", 1)[-1] for m in members}
    names |= {n.label.lower(): to_id(n.iri).split(":", 1)[-1] for n in await loaders.nodes(members)}
    wanted = to_id(iri).split(":", 1)[-1].lower()
    closest = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    raise UserInputError(f"not a {noun}: {to_id(iri)}" + (f" (the closest is {names[closest[0]]})" if closest else ""))


async def therapy_iri(loaders: Loaders, identifier: str) -> str:
    """The IRI of the therapy ``identifier`` names (see :func:`known`)."""
    return await known(loaders, identifier, ("Therapy",), "therapy")


def choice(name: str, value: str, choices: dict[str, str]) -> str:
    if value not in choices:
        raise UserInputError(f"{name} {value!r} is not one of {', '.join(sorted(choices))}")
    return choices[value]


def aspects_of(aspects: Iterable[Aspect | str] | None) -> list[Aspect] | None:
    if aspects is None:
        return None
    chosen = []
    for aspect in aspects:
        if isinstance(aspect, Aspect):
            chosen.append(aspect)
        elif isinstance(aspect, str) and aspect.upper() in Aspect.__members__:
            chosen.append(Aspect[aspect.upper()])
        else:
            raise UserInputError(f"unknown aspect {aspect!r}; aspects are {', '.join(a.name.lower() for a in Aspect)}")
    return chosen or None


# The populations a comparison can be limited to, by age group.
AGE_GROUPS = {"adult": TKG + "Adult", "pediatric": TKG + "Pediatric"}


def scope_of(setting: str | None, population: str | None) -> Scope | None:
    """The comparison scope of a setting name (``"relapsed-refractory"``) and a
    population name (``"adult"``), either or both absent.

    :raises UserInputError: a name not in the lists.
    """
    if not setting and not population:
        return None
    return Scope(setting=choice("setting", setting, SETTINGS) if setting else None,
                 age_group=choice("population", population, AGE_GROUPS) if population else None)
