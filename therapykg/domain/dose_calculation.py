"""The dose on a day of a cycle of one regimen of the graph: the weight band
of the regimen's population, the cycle and day, the dose basis and the cap."""

from __future__ import annotations

import math
from dataclasses import dataclass

from therapykg.domain.evidence import Citation, Quantity, Source
from therapykg.domain.ids import UserInputError, to_id
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import PROV_DERIVED, Node, Struct
from therapykg.namespaces import TKG


@dataclass
class DoseCalculation:
    """A dose computed from a regimen of the graph, with the rule applied and its source."""

    regimen: str
    dose_step: str
    dose: float
    unit: str
    capped: bool  # the per-BSA dose was limited by the step's cap
    body_surface_area_m2: float | None
    bsa_formula: str | None  # how the BSA was obtained: given, or Mosteller from height and weight
    rule: str  # the computation in words, with the numbers used
    sources: list[Citation]


def _bound(population: Node, name: str) -> tuple[float, str] | None:
    struct = population.tkg1(name)
    if not isinstance(struct, Struct) or struct.get_tkg("numericValue") is None:
        return None
    return float(struct.get_tkg("numericValue")), struct.get_tkg("comparator") or (">=" if name.startswith("minimum") else "<=")


def _outside_band(weight: float, population: Node) -> str | None:
    """None when the weight fits the population's band, else why not."""
    low, high = _bound(population, "minimumWeight"), _bound(population, "maximumWeight")
    if low and not (weight > low[0] if low[1] == ">" else weight >= low[0]):
        return f"{population.label} ({low[1]} {low[0]:g} kg)"
    if high and not (weight < high[0] if high[1] == "<" else weight <= high[0]):
        return f"{population.label} ({high[1]} {high[0]:g} kg)"
    return None


def _one_value(quantity: Quantity, what: str) -> float:
    """The quantity's value; a range has none to compute with."""
    if quantity.value is None:
        raise UserInputError(f"{what} is a range ({quantity.text}), which is not computed")
    return quantity.value


def mosteller(height_cm: float, weight_kg: float) -> float:
    """Body surface area in m2 (Mosteller), unrounded."""
    return math.sqrt(height_cm * weight_kg / 3600)


def _check(*, weight_kg: float, cycle: int, day: int, bsa_m2: float | None, height_cm: float | None) -> None:
    if not 0 < weight_kg <= 400:
        raise UserInputError(f"weightKg {weight_kg:g} is not a plausible body weight (0-400 kg)")
    if bsa_m2 is not None and not 0 < bsa_m2 <= 4:
        raise UserInputError(f"bodySurfaceAreaM2 {bsa_m2:g} is not a plausible body surface area (0-4 m2)")
    if height_cm is not None and not 20 <= height_cm <= 250:
        raise UserInputError(f"heightCm {height_cm:g} is not a plausible height (20-250 cm)")
    if cycle < 1 or day < 1:
        raise UserInputError("cycle and day are counted from 1")


async def calculate(loaders: Loaders, regimen_iri: str, *, weight_kg: float, cycle: int, day: int,
                    bsa_m2: float | None = None, height_cm: float | None = None) -> DoseCalculation:
    """The dose on ``day`` of ``cycle`` of the regimen ``regimen_iri``.

    :raises UserInputError: the dose cannot be given, and why.
    """
    _check(weight_kg=weight_kg, cycle=cycle, day=day, bsa_m2=bsa_m2, height_cm=height_cm)
    (regimen,) = await loaders.nodes([regimen_iri])
    if not regimen.is_a("DosingRegimen"):
        raise UserInputError(f"{to_id(regimen_iri)} is not a dosing regimen")
    if regimen.tkg_refs("hasSourceIssue"):
        raise UserInputError(f"{to_id(regimen_iri)} is flagged as probably wrong in its source and is not used for dosing")
    for population in await loaders.nodes(regimen.tkg_refs("regimenPopulation")):
        outside = _outside_band(weight_kg, population)
        if outside:
            raise UserInputError(f"{weight_kg:g} kg is outside this regimen's population: {outside}")
    cycles = await loaders.nodes(regimen.tkg_refs("hasCycle"))
    matching = [c for c in cycles if (c.tkg1("firstCycle") or 1) <= cycle and (c.tkg1("lastCycle") is None or cycle <= c.tkg1("lastCycle"))]
    if not matching:
        last = max((c.tkg1("lastCycle") or 0 for c in cycles), default=0)
        raise UserInputError(f"cycle {cycle} is not part of {to_id(regimen_iri)} (cycles 1-{last})")
    steps = await loaders.nodes(matching[0].tkg_refs("hasDoseStep"))
    if not steps:
        raise UserInputError(f"the sources give no dose for cycle {cycle} of {to_id(regimen_iri)}")
    step = next((s for s in steps if s.tkg1("firstDay") is not None and s.tkg1("firstDay") <= day
                 and (s.tkg1("lastDay") is None or day <= s.tkg1("lastDay"))), None)
    if step is None:
        last_day = max((s.tkg1("lastDay") or 0 for s in steps), default=0)
        raise UserInputError(f"day {day} is outside cycle {cycle}, whose treatment days are 1-{last_day}")
    where = f"day {day} of cycle {cycle} of {to_id(regimen_iri)}"
    dose = Quantity.from_struct(step.tkg1("dose"))
    if dose is None:
        raise UserInputError(f"the sources give no dose for {where}")
    dose_value = _one_value(dose, f"the dose on {where}")
    cap = Quantity.from_struct(step.tkg1("doseCap"))
    sources = [Citation(source=Source.from_node(s), section=step.tkg1("sourceSection"), article_references=[])
               for s in await loaders.nodes(step.refs(PROV_DERIVED))]
    if TKG + "BodySurfaceAreaDose" not in step.tkg_refs("doseBasis"):
        return DoseCalculation(regimen=to_id(regimen_iri), dose_step=to_id(step.iri), sources=sources, dose=dose_value, unit=dose.unit,
                               capped=False, body_surface_area_m2=None, bsa_formula=None,
                               rule=f"flat dose {dose.text} on days {step.tkg1('firstDay')}-{step.tkg1('lastDay')} of cycle {cycle}")
    formula = "given"
    if bsa_m2 is None:
        if height_cm is None:
            raise UserInputError("this dose is per m2 of body surface area: give bodySurfaceAreaM2, or heightCm to compute it")
        bsa_m2, formula = round(mosteller(height_cm, weight_kg), 3), "Mosteller: sqrt(height cm x weight kg / 3600)"
    raw = dose_value * bsa_m2
    unit = dose.unit.replace("/m2", "")
    amount, capped = round(raw, 3), False
    if cap is not None and raw > (cap_value := _one_value(cap, f"the cap on {where}")):
        amount, capped = cap_value, True
    rule = f"{dose.text} x {bsa_m2:g} m2 = {round(raw, 3):g} {unit}" + (f", capped at {cap.text}" if cap and capped else
                                                                        f" (cap {cap.text})" if cap else "")
    return DoseCalculation(regimen=to_id(regimen_iri), dose_step=to_id(step.iri), sources=sources, dose=amount, unit=unit,
                           capped=capped, body_surface_area_m2=bsa_m2, bsa_formula=formula, rule=rule)
