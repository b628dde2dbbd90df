"""Checking what a person asked for: ids that must name a therapy (or a
finding, or a label version), choices from a fixed list, comparison aspects.
Wrong input raises :class:`UserInputError` with the reason and, for an
unknown id, the closest known ones. Every surface checks input here.

An id may be written as a compact IRI (``tkgr:blinatumomab``), a full IRI or
a bare name (``blinatumomab``), in any case; and a resource may also be named
by its label, a synonym or a brand name (``BLINCYTO``, ``HiDAC``,
``allogeneic HCT``), ignoring case, accents, hyphens and underscores. Names
match exactly, never fuzzily, and a name that two resources share is refused
rather than guessed: only the suggestions of an error are fuzzy."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from therapykg.domain.compare import Aspect, Scope
from therapykg.domain.dosing import SETTINGS
from therapykg.domain.ids import UserInputError, to_id, to_iri
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import RDF_TYPE, SKOS
from therapykg.namespaces import TKG, TKGR

MAX_SUGGESTIONS = 3  # closest ids an error names
SUGGESTION_CUTOFF = 0.6  # difflib's similarity ratio a suggestion needs


def normalized(text: str) -> str:
    """``text`` as names are compared: lowercased, without accents, with
    hyphens, underscores and runs of white space as one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[-_\s]+", " ", bare.casefold()).split())


@dataclass(frozen=True)
class Named:
    """A resource with the names a person may call it by."""

    iri: str
    label: str
    synonyms: tuple[str, ...] = ()  # skos:altLabel, without the label and brand names repeated
    brand_names: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The compact id, ``tkgr:blinatumomab``."""
        return to_id(self.iri)

    @property
    def local(self) -> str:
        """The id without its prefix, ``blinatumomab``: what a person types."""
        return self.id.split(":", 1)[-1]

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it answers to: its id, label, synonyms and brand names."""
        return (self.local, self.label, *self.synonyms, *self.brand_names)


async def named(loaders: Loaders, classes: Iterable[str]) -> list[Named]:
    """The instances of ``classes`` (local names of ontology classes), with their names, by id."""
    members = sorted({m for c in classes for m in await loaders.referring(RDF_TYPE, TKG + c)})
    found = []
    for node in await loaders.nodes(members):
        brands = tuple(node.texts(TKG + "brandName"))
        taken = {normalized(n) for n in (node.label, *brands)}
        synonyms = []
        for synonym in node.texts(SKOS + "altLabel"):  # each once, however written (HIDAC, HiDAC)
            if normalized(synonym) not in taken:
                taken.add(normalized(synonym))
                synonyms.append(synonym)
        found.append(Named(node.iri, node.label, tuple(synonyms), brands))
    return sorted(found, key=lambda n: n.id)


def _wanted(identifier: str) -> str:
    """The name part of what was typed: without the ``tkgr:`` prefix or the resource namespace."""
    text = identifier.strip()
    if text.lower().startswith("tkgr:"):
        return text[len("tkgr:"):]
    if text.lower().startswith(TKGR.lower()):
        return text[len(TKGR):]
    return text


def matching(identifier: str, candidates: Iterable[Named]) -> list[Named]:
    """The candidates that ``identifier`` names exactly (ignoring case, accents,
    hyphens and underscores): by id, label, synonym or brand name. More than
    one means the name is ambiguous."""
    key = normalized(_wanted(identifier))
    return [c for c in candidates if key and any(normalized(n) == key for n in c.names)]


def closest(identifier: str, candidates: Iterable[Named], n: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to ``n`` suggestions for a name that matches nothing, closest first:
    the local id, with the name that came close when that is not the id or
    label (``tisagenlecleucel (KYMRIAH)``)."""
    by_name: dict[str, tuple[Named, str]] = {}
    for candidate in candidates:
        for name in candidate.names:
            by_name.setdefault(normalized(name), (candidate, name))
    chosen: dict[str, str] = {}
    for near in difflib.get_close_matches(normalized(_wanted(identifier)), list(by_name), n=len(by_name), cutoff=SUGGESTION_CUTOFF):
        candidate, name = by_name[near]
        if candidate.iri not in chosen:
            plain = normalized(name) in {normalized(candidate.local), normalized(candidate.label)}
            chosen[candidate.iri] = candidate.local if plain else f"{candidate.local} ({name})"
    return list(chosen.values())[:n]


def closest_note(suggestions: list[str]) -> str:
    """`` (the closest is a)`` or `` (the closest are a, b and c)``; nothing without suggestions."""
    if not suggestions:
        return ""
    if len(suggestions) == 1:
        return f" (the closest is {suggestions[0]})"
    return f" (the closest are {', '.join(suggestions[:-1])} and {suggestions[-1]})"


async def known(loaders: Loaders, identifier: str, classes: tuple[str, ...], noun: str) -> str:
    """The IRI of the instance of one of ``classes`` that ``identifier`` names:
    by its id (in any case), or exactly by its label, a synonym or a brand name.

    :raises UserInputError: it names none (the error suggests the closest), or
        more than one (the error lists them).
    """
    iri: str | None = None
    problem = ""
    try:
        iri = to_iri(identifier)
    except UserInputError as invalid:
        problem = str(invalid)
    if iri is not None:
        (node,) = await loaders.nodes([iri])
        if any(node.is_a(c) for c in classes):
            return iri
    candidates = await named(loaders, classes)
    found = matching(identifier, candidates)
    if len(found) == 1:
        return found[0].iri
    if found:
        raise UserInputError(f"{identifier.strip()!r} names more than one {noun} ({', '.join(f.local for f in found)}): "
                             "give one of their ids")
    hint = closest_note(closest(identifier, candidates))
    if iri is None:  # neither an id nor a name: the id's problem, unless a name came close
        raise UserInputError(f"not a {noun}: {identifier.strip()!r}{hint}" if hint else problem)
    raise UserInputError(f"not a {noun}: {to_id(iri)}{hint}")


async def therapy_iri(loaders: Loaders, identifier: str) -> str:
    """The IRI of the therapy ``identifier`` names (see :func:`known`)."""
    return await known(loaders, identifier, ("Therapy",), "therapy")


def choice(name: str, value: str, choices: dict[str, str]) -> str:
    if value not in choices:
        raise UserInputError(f"{name} {value!r} is not one of {', '.join(sorted(choices))}")
    return choices[value]


def aspect_of(name: str) -> Aspect | None:
    """The aspect ``name`` stands for, however it is spelt: its name
    (``adverse_events``, ``adverse-events``, ``adverse events``,
    ``ADVERSE_EVENTS``) or its words (``key adverse events``); None for none."""
    key = normalized(name)
    return next((a for a in Aspect if key in (normalized(a.name), normalized(a.value))), None)


def aspects_of(aspects: Iterable[Aspect | str] | None) -> list[Aspect] | None:
    if aspects is None:
        return None
    chosen = []
    for aspect in aspects:
        found = aspect if isinstance(aspect, Aspect) else aspect_of(aspect) if isinstance(aspect, str) else None
        if found is None:
            raise UserInputError(f"unknown aspect {aspect!r}; aspects are {', '.join(a.name.lower() for a in Aspect)}")
        if found not in chosen:
            chosen.append(found)
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
