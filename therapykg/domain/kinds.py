"""The kind of a therapy: the most specific of the therapy classes of the
ontology that it belongs to, asserted or inferred."""

from __future__ import annotations

from enum import Enum

from therapykg.domain.nodes import Node


class TherapyKind(Enum):
    """Therapy classes of the ontology, most specific first (the order :func:`therapy_kind` tries them in)."""

    BISPECIFIC_T_CELL_ENGAGER = "BispecificTCellEngager"
    ANTIBODY_DRUG_CONJUGATE = "AntibodyDrugConjugate"
    MONOCLONAL_ANTIBODY = "MonoclonalAntibody"
    NUCLEOSIDE_ANALOG = "NucleosideAnalog"
    ANTHRACYCLINE = "Anthracycline"
    CYTOTOXIC_DRUG = "CytotoxicDrug"
    CORTICOSTEROID = "Corticosteroid"
    DRUG = "Drug"
    CAR_T_CELL_THERAPY = "CARTCellTherapy"
    CHEMOTHERAPY_REGIMEN = "ChemotherapyRegimen"
    PROCEDURE = "Procedure"
    CLINICAL_TRIAL_PARTICIPATION = "ClinicalTrialParticipation"


def therapy_kind(node: Node) -> TherapyKind | None:
    """The most specific asserted or inferred kind of ``node``, or None when it has none."""
    return next((kind for kind in TherapyKind if node.is_a(kind.value)), None)
