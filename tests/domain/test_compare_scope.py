"""A comparison scoped to a setting or an age group keeps a claim by what it
states, and a claim that states neither reports on a trial whose setting and
population are recorded: INO-VATE (adults, relapsed or refractory) and
ITCC-059 (children, relapsed or refractory) scope the label's adverse
reaction tables. A claim with no scope of its own and no trial stays in
every scope."""

from __future__ import annotations

import pytest

import therapykg

PAIR = ["blinatumomab", "inotuzumab-ozogamicin"]


@pytest.fixture(scope="module")
def claims(graph):
    def compared(**scope: str) -> set[str]:
        comparison = therapykg.compare(graph, PAIR, **scope)
        return {v.claim for row in comparison.rows for cell in row.cells for v in cell.values}
    return compared


def test_trial_reactions_follow_the_trial_s_setting(claims):
    relapsed, mrd = claims(setting="relapsed-refractory"), claims(setting="mrd-positive")
    # Label 6.1 tables from INO-VATE and ITCC-059 state no setting of their own.
    for claim in ("tkgr:ino-ar-nausea", "tkgr:ino-ar-vod-label", "tkgr:ino-ar-vod-pediatric"):
        assert claim in relapsed and claim not in mrd, claim


def test_trial_reactions_follow_the_trial_s_population(claims):
    children, adults = claims(population="pediatric"), claims(population="adult")
    assert "tkgr:ino-ar-nausea" in adults and "tkgr:ino-ar-nausea" not in children  # INO-VATE enrolled adults
    assert "tkgr:ino-ar-vod-pediatric" in children and "tkgr:ino-ar-vod-pediatric" not in adults  # ITCC-059


def test_a_claim_without_scope_or_trial_stays_in_every_scope(claims):
    # The article's pediatric response rate names no setting and no trial.
    for scope in ({}, {"setting": "relapsed-refractory"}, {"setting": "mrd-positive"}, {"setting": "consolidation"}):
        assert "tkgr:article-pediatric-cr-2-cycles" in claims(**scope), scope
