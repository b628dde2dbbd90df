"""The committed SSSOM table is the one the graph generates."""

from therapykg import paths
from therapykg.sssom import sssom_table


def test_committed_mappings_match_the_graph(graph):
    assert paths.MAPPINGS_FILE.read_text(encoding="utf-8") == sssom_table(graph), \
        "ontology/mappings.sssom.tsv is stale: run `therapykg build`"


def test_mappings_cover_the_verified_identifiers(graph):
    table = sssom_table(graph)
    for curie in ("NCIT:C62528", "RXNORM:1597258", "RXNORM:1597263", "DRUGBANK:DB09052", "ATC:L01FX07",
                  "DRUGBANK:DB05889", "ATC:L01FB01", "NCIT:C102758", "ATC:L01XL04", "NCIT:C170439",
                  "ATC:L01XL06", "DRUGBANK:DB01280", "ATC:L01BB07", "RXNORM:3041", "CHEBI:28680",
                  "EFO:0000094", "NCT:NCT02013167"):
        assert f"\t{curie}\t" in table, curie
    assert "MONDO" not in table  # unconfirmed in the reference page: left out


def test_unverified_identifiers_are_marked(graph):
    """The codes no source seen shows (alternatives.md A.7; RxNorm 1597258 and
    1597263, A.8) are kept from the earlier reference list, and marked."""
    rows = [line.split("\t") for line in sssom_table(graph).splitlines() if not line.startswith("#")]
    header, body = rows[0], rows[1:]
    comments = {(r[header.index("subject_id")], r[header.index("object_id")]): r[header.index("comment")] for r in body}
    marked = {key for key, comment in comments.items() if comment.startswith("unverified")}
    assert marked == {
        ("tkgr:blinatumomab", "RXNORM:1597258"), ("tkgr:blinatumomab", "RXNORM:1597263"),
        ("tkgr:blinatumomab", "NCIT:C62528"), ("tkgr:blinatumomab", "DRUGBANK:DB09052"),
        ("tkgr:inotuzumab-ozogamicin", "DRUGBANK:DB05889"), ("tkgr:inotuzumab-ozogamicin", "ATC:L01FB01"),
        ("tkgr:tisagenlecleucel", "ATC:L01XL04"),
        ("tkgr:brexucabtagene-autoleucel", "NCIT:C170439"), ("tkgr:brexucabtagene-autoleucel", "ATC:L01XL06"),
        ("tkgr:cytarabine", "RXNORM:3041"), ("tkgr:cytarabine", "DRUGBANK:DB00987"),
        ("tkgr:fludarabine", "RXNORM:24698"), ("tkgr:fludarabine", "DRUGBANK:DB01073"),
        ("tkgr:idarubicin", "DRUGBANK:DB01177"), ("tkgr:idarubicin", "ATC:L01DB06")}
    # Those a source read does show stay unmarked.
    for confirmed in (("tkgr:tisagenlecleucel", "NCIT:C102758"), ("tkgr:fludarabine", "ATC:L01BB05"), ("tkgr:cytarabine", "ATC:L01BC01")):
        assert comments[confirmed] == "", confirmed
