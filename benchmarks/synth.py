"""Generate a graph shaped like therapykg's curated data, of about N triples,
deterministic for a seed: therapies with regimens, cycles, dose steps,
adverse reactions, outcomes, trials, rules, safety statements and
alternatives, every claim with its source.

    python benchmarks/synth.py --triples 100000 --out /tmp/synth [--seed 7]

The output folder holds `ontology/` (a copy of the real ontology and shapes)
and `graph_data/` (the real sources and reference entities plus the
synthetic files), so it builds through the same path as the real data:
`therapykg.build.build(ontology_dir=OUT/ontology, data_dir=OUT/graph_data)`.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import pyoxigraph as ox

from therapykg import paths

PREFIXES = """@prefix tkg: <https://w3id.org/therapykg/ontology/> .
@prefix tkgr: <https://w3id.org/therapykg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
KINDS = ["BispecificTCellEngager", "AntibodyDrugConjugate", "CARTCellTherapy", "NucleosideAnalog", "ChemotherapyRegimen"]
TARGETS = ["CD19", "CD22", "CD3"]
EVENTS = ["neurological-toxicity", "cytokine-release-syndrome", "infection", "tumor-lysis-syndrome", "neutropenia",
          "elevated-liver-enzymes", "depression", "sinusoidal-obstruction-syndrome"]
METRICS = ["CRCRiRate", "MedianOverallSurvival", "ThreeYearOverallSurvival", "CompleteMRDResponse"]
SOURCES = ["source-article", "source-reference-page", "source-pmc6618133", "source-pmc11613962"]
STATES = ["state-rr-ph-neg-b-all", "state-mrd-pos-ph-neg-b-all", "state-consolidation-ph-neg-b-all"]
TRIPLES_PER_THERAPY = 373  # measured on the output of therapy() below


def claim(iri: str, cls: str, label: str, rng: random.Random, body: str, source: str | None = None) -> str:
    ref = f" ;\n    tkg:citedReference tkgr:article-ref-{rng.randint(1, 4)}" if rng.random() < 0.5 else ""
    source = source or rng.choice(SOURCES)
    return (f"tkgr:{iri} a tkg:{cls} ;\n    rdfs:label \"{label}\"@en ;\n    tkg:summary \"Synthetic {cls} for scale tests.\"@en ;\n"
            f"    prov:wasDerivedFrom tkgr:{source} ;\n    tkg:sourceSection \"Synthetic\"{ref} ;\n{body} .\n\n")


def pct(value: float) -> str:
    return f"[ a tkg:Quantity ; tkg:numericValue {value:.1f} ; tkg:unit \"%\" ]"


def therapy(i: int, rng: random.Random) -> str:
    t = f"synth-{i}"
    kind = rng.choice(KINDS)
    out = [f"tkgr:{t} a tkg:{kind} ;\n    rdfs:label \"synthetic therapy {i}\"@en ;\n    skos:altLabel \"SYN{i}\"@en ;\n"
           f"    tkg:hasTarget tkg:{rng.choice(TARGETS)} ;\n    tkg:hasRoute tkg:Intravenous ;\n"
           f"    tkg:applicableDisease tkgr:ph-negative-b-all ;\n    prov:wasDerivedFrom tkgr:source-reference-page .\n\n"]
    for k, state in enumerate(rng.sample(STATES, 2)):
        out.append(claim(f"{t}-ind-{k}", "Indication", f"indication {k} of therapy {i}", rng,
                         f"    tkg:indicationTherapy tkgr:{t} ;\n    tkg:indicationDiseaseState tkgr:{state} ;\n"
                         f"    tkg:indicationPopulation tkgr:pop-adults ;\n    tkg:approvalDate \"20{rng.randint(10, 25)}\""))
    low = rng.randint(5, 15)
    steps = [(1, 7, low), (8, 28, low * 3)]
    out.append(claim(f"{t}-reg", "DosingRegimen", f"regimen of therapy {i}", rng,
                     f"    tkg:regimenFor tkgr:{t} ;\n    tkg:regimenSetting tkgr:{STATES[0]} ;\n"
                     f"    tkg:regimenPopulation tkgr:pop-adult-45kg-plus ;\n    tkg:maximumCycles {rng.randint(2, 6)} ;\n"
                     f"    tkg:hasCycle tkgr:{t}-c1 , tkgr:{t}-c2", source="source-article"))
    for c, (first, last) in enumerate([(1, 1), (2, 5)], start=1):
        ids = [f"{t}-c{c}-s{s}" for s in range(len(steps) if c == 1 else 1)]
        out.append(claim(f"{t}-c{c}", "Cycle", f"cycle {c} of therapy {i}", rng,
                         f"    tkg:firstCycle {first} ;\n    tkg:lastCycle {last} ;\n"
                         f"    tkg:treatmentPeriod [ a tkg:Quantity ; tkg:numericValue 28 ; tkg:unit \"d\" ; tkg:valueInDays 28 ] ;\n"
                         f"    tkg:treatmentFreeInterval [ a tkg:Quantity ; tkg:numericValue 14 ; tkg:unit \"d\" ; tkg:valueInDays 14 ] ;\n"
                         f"    tkg:cycleLength [ a tkg:Quantity ; tkg:numericValue 42 ; tkg:unit \"d\" ; tkg:valueInDays 42 ] ;\n"
                         f"    tkg:hasDoseStep " + " , ".join(f"tkgr:{s}" for s in ids)))
        for sid, (d1, d2, dose) in zip(ids, steps if c == 1 else [(1, 28, low * 3)], strict=False):
            out.append(claim(sid, "DoseStep", f"dose step {sid}", rng,
                             f"    tkg:firstDay {d1} ;\n    tkg:lastDay {d2} ;\n    tkg:doseBasis tkg:FlatDose ;\n"
                             f"    tkg:dose [ a tkg:Quantity ; tkg:numericValue {dose} ; tkg:unit \"ug/d\" ] ;\n"
                             f"    tkg:hasAdministrationMode tkg:ContinuousInfusion"))
    for e in rng.sample(EVENTS, 5):
        any_grade, onset = rng.uniform(5, 80), rng.randint(1, 20)
        out.append(claim(f"{t}-ae-{e}", "AdverseReaction", f"{e} with therapy {i}", rng,
                         f"    tkg:forTherapy tkgr:{t} ;\n    tkg:adverseEvent tkgr:{e} ;\n    tkg:inSetting tkg:RelapsedRefractory ;\n"
                         f"    tkg:anyGradeIncidence {pct(any_grade)} ;\n"
                         f"    tkg:grade3PlusIncidence {pct(any_grade / 3)} ;\n"
                         f"    tkg:medianOnset [ a tkg:Quantity ; tkg:numericValue {onset} ; tkg:unit \"d\" ; tkg:valueInDays {onset} ]"))
    out.append(f"tkgr:{t}-trial a tkg:ClinicalTrial ;\n    rdfs:label \"SYNTH-{i}\" ;\n    tkg:registryId \"NCT9{i:07d}\" ;\n"
               f"    tkg:hasArm tkgr:{t}-arm ;\n    prov:wasDerivedFrom tkgr:source-reference-page .\n\n"
               f"tkgr:{t}-arm a tkg:TrialArm ;\n    rdfs:label \"experimental arm of SYNTH-{i}\" ;\n"
               f"    tkg:armIntervention tkgr:{t} ;\n    tkg:armRole \"experimental\" .\n\n")
    for metric in rng.sample(METRICS, 3):
        out.append(claim(f"{t}-out-{metric}", "EfficacyOutcome", f"{metric} of therapy {i}", rng,
                         f"    tkg:forTherapy tkgr:{t} ;\n    tkg:metric tkg:{metric} ;\n    tkg:inTrial tkgr:{t}-trial ;\n"
                         f"    tkg:value {pct(rng.uniform(20, 90))} ;\n    tkg:comparatorValue {pct(rng.uniform(5, 40))} ;\n"
                         f"    tkg:pValue 0.0{rng.randint(1, 9)}"))
    for g in (3, 4):
        out.append(claim(f"{t}-rule-{g}", "DoseModificationRule", f"grade {g} rule of therapy {i}", rng,
                         f"    tkg:forTherapy tkgr:{t} ;\n    tkg:hasTrigger tkgr:{t}-rule-{g}-trigger ;\n"
                         f"    tkg:ruleSetting tkg:RelapsedRefractory ;\n    tkg:rulePopulation tkgr:pop-adult-45kg-plus ;\n"
                         f"    tkg:hasAction tkgr:{t}-rule-{g}-a1"))
        action = "DiscontinuePermanently" if g == 4 else "Interrupt"
        out.append(f"tkgr:{t}-rule-{g}-trigger a tkg:Trigger ;\n    rdfs:label \"grade {g}\" ;\n"
                   f"    tkg:triggerEvent tkgr:cytokine-release-syndrome ;\n    tkg:minimumGrade {g} ;\n    tkg:maximumGrade {g} .\n\n"
                   f"tkgr:{t}-rule-{g}-a1 a tkg:Action ;\n    rdfs:label \"{action}\" ;\n    tkg:sequence 1 ;\n"
                   f"    tkg:actionKind tkg:{action} .\n\n")
    for kind in ("Precaution", "Pitfall"):
        out.append(claim(f"{t}-{kind.lower()}", kind, f"{kind} of therapy {i}", rng,
                         f"    tkg:forTherapy tkgr:{t} ;\n    tkg:concernsFinding tkgr:high-marrow-blasts"))
    out.append(claim(f"{t}-monitoring", "MonitoringRequirement", f"monitoring of therapy {i}", rng,
                     f"    tkg:forTherapy tkgr:{t} ;\n    tkg:monitors tkgr:neurological-toxicity ;\n    tkg:inSetting tkg:RelapsedRefractory ;\n"
                     f"    tkg:hasWindow [ a tkg:TimeWindow ; tkg:firstCycle 1 ; tkg:lastCycle 1 ; tkg:firstDay 1 ; tkg:lastDay 9 ]"))
    out.append(claim(f"{t}-alt", "AlternativeTherapyRelation", f"therapy {i} as an alternative", rng,
                     f"    tkg:alternativeTo tkgr:blinatumomab ;\n    tkg:alternativeTherapy tkgr:{t} ;\n"
                     f"    tkg:inSetting tkg:RelapsedRefractory ;\n    tkg:forDisease tkgr:ph-negative-b-all ;\n"
                     f"    tkg:applicability tkg:Applicable ;\n    tkg:applicabilityReason \"synthetic\"@en"))
    return "".join(out)


def _curated_triples() -> int:
    """Triples of the ontology and curated data (before inferences): the part of the graph that is not synthetic."""
    files = [f for d in (paths.ONTOLOGY_DIR, paths.DATA_DIR) for f in d.rglob("*.ttl") if f.name != "inferred.ttl"]
    return sum(sum(1 for _ in ox.parse(path=f, format=ox.RdfFormat.TURTLE)) for f in files)


def generate(triples: int, out: Path, seed: int = 7, per_file: int = 200) -> int:
    """Write the synthetic inputs; returns the number of therapies."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(paths.ONTOLOGY_DIR, out / "ontology")
    data = out / "graph_data"
    shutil.copytree(paths.DATA_DIR, data)  # the real data stays part of it
    count = max(1, (triples - _curated_triples()) // TRIPLES_PER_THERAPY)
    rng = random.Random(seed)
    synth = data / "synthetic"
    synth.mkdir()
    for start in range(0, count, per_file):
        chunk = "".join(therapy(i, rng) for i in range(start, min(start + per_file, count)))
        (synth / f"therapies-{start:07d}.ttl").write_text(PREFIXES + chunk, encoding="utf-8")
    (data / "inferred.ttl").unlink(missing_ok=True)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"{generate(args.triples, args.out, args.seed)} synthetic therapies in {args.out}")


if __name__ == "__main__":
    main()
