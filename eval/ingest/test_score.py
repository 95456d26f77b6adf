"""The scorer and the gold set itself. Run: .venv/bin/pytest eval/ingest"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import score as sc

ROOT = Path(__file__).resolve().parents[2]
HSG = ROOT.parent / "shared" / "datasets" / "hsg"


@pytest.fixture(scope="module")
def gold() -> sc.Gold:
    return sc.load_gold()


@pytest.fixture(scope="module")
def texts(gold: sc.Gold) -> dict[str, str]:
    return sc.load_texts(gold)


def perfect(gold: sc.Gold, *, with_hsg: bool) -> dict[str, Any]:
    """What a flawless ingest would return, built from the gold itself."""
    links = [
        {"doc": lk.doc, "surface": lk.surface or "", "entity": lk.entity}
        for lk in gold.links
        if with_hsg or not lk.hsg_only
    ]
    props = [
        {
            "doc": p.doc,
            "kind": p.kind,
            "name": p.name,
            "title": p.title,
            "date": p.date,
            "precision": p.precision,
            "place": p.place_ids[0] if p.place_ids else p.place_name,
            "participants": list(p.participants),
        }
        for p in gold.proposals
        if p.stands_for is None or not with_hsg
    ]
    return {"links": links, "proposals": props, "merges": [list(g) for g in gold.should_merge]}


# -- the set itself ------------------------------------------------------------------------


def test_set_size_and_metadata(gold: sc.Gold, texts: dict[str, str]) -> None:
    assert len(gold.docs) >= 10
    assert {d["genre"] for d in gold.docs.values()} >= {
        "press statement",
        "media note",
        "editorial",
    }
    assert any(d.get("chrome") for d in gold.docs.values())
    for name, doc in gold.docs.items():
        assert len(texts[name].split()) >= 150, name
        if doc.get("chrome"):
            assert texts[name].startswith("Accessibility links"), name


def test_reserved_topic_is_kept_out(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        lower = text.lower()
        assert "migration talks" not in lower, name
        if "cuba" in lower:
            assert "migra" not in lower, f"{name} touches the reserved U.S.-Cuba migration talks"


def test_every_gold_surface_occurs_in_its_text(gold: sc.Gold, texts: dict[str, str]) -> None:
    for lk in gold.links:
        if lk.surface is not None:
            assert lk.surface in texts[lk.doc], f"{lk.doc}: {lk.surface!r}"
    for doc, surface, _ in gold.must_not_link:
        assert surface in texts[doc], f"{doc}: must_not_link {surface!r}"


def test_named_proposals_occur_in_their_text(gold: sc.Gold, texts: dict[str, str]) -> None:
    named = {"Person", "Organization", "Place", "Country"}
    for item in gold.proposals:
        if item.kind in named:
            text = f" {sc.norm(texts[item.doc])} "
            assert any(f" {n} " in text for n in item.names), f"{item.doc}: {item.name}"


def test_meeting_dates_are_resolved_and_precise(gold: sc.Gold) -> None:
    widths = {"day": 10, "month": 7, "year": 4}
    for item in gold.proposals:
        if item.kind == "Meeting":
            assert item.date and item.precision in widths, f"{item.doc}: {item.name}"
            assert len(item.date) == widths[item.precision], f"{item.doc}: {item.name}"


def test_curated_ids_exist(gold: sc.Gold) -> None:
    curated = set()
    for path in (ROOT / "data" / "knowledge").glob("*.yaml"):
        curated |= {e["id"] for e in yaml.safe_load(path.read_text())["entities"]}
    for lk in gold.links:
        if not lk.hsg_only:
            assert lk.entity in curated, f"{lk.doc}: {lk.entity} is not curated; mark hsg_only"


# -- the scorer ----------------------------------------------------------------------------


@pytest.mark.parametrize("with_hsg", [False, True])
def test_perfect_predictions_score_full_marks(gold: sc.Gold, with_hsg: bool) -> None:
    report = sc.score(gold, perfect(gold, with_hsg=with_hsg), with_hsg=with_hsg)
    f = report.figures
    assert (f["link_precision"], f["link_recall"], f["proposal_recall"]) == (1.0, 1.0, 1.0)
    assert f["noise_share"] == 0.0 and f["wrong_merges"] == 0
    assert all(report.passes().values())
    assert f["person_title_accuracy"] == 1.0 and f["meeting_place_accuracy"] == 1.0


def test_nothing_predicted_fails_the_targets(gold: sc.Gold) -> None:
    report = sc.score(gold, {}, with_hsg=False)
    assert report.figures["link_recall"] == 0.0
    assert report.figures["proposal_recall"] == 0.0
    assert report.figures["person_title_accuracy"] is None
    assert not report.passes()["link_recall"]


def test_hsg_only_entities_switch_between_link_and_proposal(gold: sc.Gold) -> None:
    curated = sc.score(gold, {}, with_hsg=False).figures
    full = sc.score(gold, {}, with_hsg=True).figures
    assert full["gold_links"] > curated["gold_links"]
    assert curated["gold_proposals"] > full["gold_proposals"]


def test_proposing_a_node_the_historian_data_holds_is_a_duplicate(gold: sc.Gold) -> None:
    doc = "04_flag-over-embassy-havana.txt"
    kerry = {"doc": doc, "kind": "Person", "name": "John Kerry", "title": "Secretary of State"}
    trip = {"doc": doc, "kind": "Meeting", "name": "x", "date": "2015-08-14"}
    without = sc.score(gold, {"proposals": [kerry]}, with_hsg=False)
    assert without.figures["noise_share"] == 0.0
    with_ = sc.score(gold, {"proposals": [kerry, trip]}, with_hsg=True)
    assert len(with_.duplicates) == 1  # the trip meeting matches a real gold meeting as well
    assert with_.figures["duplicates_of_existing"] >= 1


def test_wrong_and_trap_links_lower_precision(gold: sc.Gold) -> None:
    doc = "01_release-of-alan-gross.txt"
    preds = {
        "links": [
            {"doc": doc, "surface": "Alan Gross", "entity": "alan-gross"},
            {"doc": doc, "surface": "Raúl Castro", "entity": "castro-raul-hector"},
        ]
    }
    report = sc.score(gold, preds, with_hsg=True)
    assert report.figures["link_precision"] == 0.5
    assert report.figures["trap_links"] == 1


def test_surface_compare_ignores_case_and_accents(gold: sc.Gold) -> None:
    doc = "09_merida-high-level-group.txt"
    preds = {"links": [{"doc": doc, "surface": "ciudad juarez", "entity": "ciudad-juarez-mexico"}]}
    assert sc.score(gold, preds, with_hsg=True).figures["link_precision"] == 1.0


def test_offsets_instead_of_surface(gold: sc.Gold, texts: dict[str, str]) -> None:
    doc = "02_second-round-diplomatic-talks.txt"
    start = texts[doc].index("Bureau of Western Hemisphere Affairs")
    end = start + len("Bureau of Western Hemisphere Affairs")
    preds = {"links": [(doc, (start, end), "state-western-hemisphere-affairs")]}
    report = sc.score(gold, preds, with_hsg=False, texts=texts)
    assert report.figures["link_precision"] == 1.0
    assert all(
        m.surface != "Bureau of Western Hemisphere Affairs" or m.doc != doc
        for m in report.missed_links
    )


def test_equivalent_ids_and_id_aliases(gold: sc.Gold) -> None:
    doc = "11_colombia-ceasefire-havana.txt"
    spain = {"links": [{"doc": doc, "surface": "Havana", "entity": "havana-spain"}]}
    assert sc.score(gold, spain, with_hsg=True).figures["link_precision"] == 0.0
    cuba = {"links": [{"doc": doc, "surface": "Havana", "entity": "havana-cuba"}]}
    assert sc.score(gold, cuba, with_hsg=True).figures["link_precision"] == 1.0
    merged = {"links": [{"doc": doc, "surface": "Havana", "entity": "place-7"}]}
    report = sc.score(gold, merged, with_hsg=True, id_aliases={"place-7": "havana"})
    assert report.figures["link_precision"] == 1.0


def test_linking_a_may_link_node_satisfies_the_proposal(gold: sc.Gold) -> None:
    doc = "10_pena-nieto-at-the-white-house.txt"
    link = {
        "doc": doc,
        "surface": "Enrique Peña Nieto",
        "entity": "candidate-hsg-visit-2780-enrique-pena-nieto",
    }
    report = sc.score(gold, {"links": [link]}, with_hsg=True)
    assert report.figures["link_precision"] == 1.0
    assert not any(p.name == "Enrique Peña Nieto" for p in report.missed_proposals)


def test_meetings_match_on_date_and_fields_are_checked(gold: sc.Gold) -> None:
    doc = "02_second-round-diplomatic-talks.txt"
    good = {
        "doc": doc,
        "kind": "Meeting",
        "name": "talks",
        "date": "2015-02-27",
        "precision": "day",
        "place": "Washington",
        "participants": ["jacobson-roberta-s"],
    }
    yearless = {**good, "date": "2027-02-27"}
    r = sc.score(gold, {"proposals": [good]}, with_hsg=True)
    assert r.figures["meeting_place_accuracy"] == 1.0
    assert r.figures["meeting_participants_accuracy"] == 0.5
    assert r.figures["noise_share"] == 0.0
    r = sc.score(gold, {"proposals": [yearless]}, with_hsg=True)
    assert r.figures["noise_share"] == 1.0


def test_noise_counts_forbidden_and_skips_acceptable(gold: sc.Gold) -> None:
    doc = "08_shannon-in-caracas.txt"
    preds = {
        "proposals": [
            {"doc": doc, "kind": "Place", "name": "Spanish"},
            {"doc": doc, "kind": "Organization", "name": "National Assembly"},
            {"doc": doc, "kind": "Person", "name": "Nicolas Maduro", "title": "President"},
        ]
    }
    r = sc.score(gold, preds, with_hsg=True)
    assert r.figures["candidates"] == 2
    assert r.figures["noise_share"] == 0.5
    assert r.figures["forbidden_candidates"] == 1


def test_chained_merges_are_wrong_merges(gold: sc.Gold) -> None:
    preds = {"merges": [("havana", "havana-cuba"), ("havana-cuba", "little-havana")]}
    r = sc.score(gold, preds, with_hsg=True)
    assert r.figures["wrong_merges"] == 2
    assert not r.passes()["wrong_merges"]
    ok = sc.score(gold, {"merges": [("craig-kelly", "kelly-craig-allen")]}, with_hsg=True)
    assert ok.figures["wrong_merges"] == 0
    assert ok.figures["should_merge_done"] == "1/2"


def test_glob_must_not_merge(gold: sc.Gold) -> None:
    preds = {"merges": [("castro-raul-hector", "candidate-hsg-trip-3616-raul-castro")]}
    assert sc.score(gold, preds, with_hsg=True).figures["wrong_merges"] >= 1


def one_doc(**extra: Any) -> dict[str, Any]:
    return {"documents": [{"file": "x.txt", "title": "t", "publisher": "p", **extra}]}


def test_bad_gold_and_predictions_name_the_problem() -> None:
    with pytest.raises(sc.GoldError, match=r"x\.txt: missing 'date'"):
        sc.parse_gold(one_doc())
    with pytest.raises(sc.GoldError, match=r"x\.txt: links\[0\]: needs an 'entity'"):
        sc.parse_gold(one_doc(date="2015", links=[{"surface": "Cuba"}]))
    hsg_link = {"surface": "Cuba", "entity": "cuba", "hsg_only": True}
    with pytest.raises(sc.GoldError, match="no 'propose'"):
        sc.parse_gold(one_doc(date="2015", links=[hsg_link]))
    with pytest.raises(sc.GoldError, match=r"proposals\[0\]: needs 'kind' and 'name'"):
        sc.parse_gold(one_doc(date="2015", proposals=[{"kind": "Person"}]))
    gold = sc.load_gold()
    with pytest.raises(sc.GoldError, match="not in the gold set"):
        sc.score(gold, {"links": [("nope.txt", "Cuba", "cuba")]}, with_hsg=False)


def test_cli_prints_targets_and_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    gold = sc.load_gold()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(perfect(gold, with_hsg=True)))
    assert sc.main([str(good), "--with-hsg"]) == 0
    assert "target link_recall >= 0.9: PASS" in capsys.readouterr().out
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    assert sc.main([str(empty)]) == 1
    assert "FAIL" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert sc.main([str(broken)]) == 2


def test_neutral_links_count_neither_way(gold: sc.Gold) -> None:
    doc = "09_merida-high-level-group.txt"
    title = "Assistant Secretary of State for Western Hemisphere Affairs"
    preds = {
        "links": [
            (doc, title, "state-assistant-secretary-for-western-hemisphere"),
            (doc, "U.S.", "united-states"),
            (doc, "Mexico City", "mexico-city-mexico"),
        ]
    }
    r = sc.score(gold, preds, with_hsg=True)
    assert r.figures["neutral_links"] == 2
    assert r.figures["link_precision"] == 1.0
    trap = sc.score(gold, {"links": [(doc, "Clinton", "clinton-william-jefferson")]}, with_hsg=True)
    assert trap.figures["link_precision"] == 0.0 and trap.figures["trap_links"] == 1


def test_events_match_on_name_or_day(gold: sc.Gold) -> None:
    doc = "01_release-of-alan-gross.txt"
    worded = {"doc": doc, "kind": "Event", "name": "Gross freed", "date": "2014-12-17"}
    undated = {"doc": doc, "kind": "Event", "name": "Gross freed"}
    assert sc.score(gold, {"proposals": [worded]}, with_hsg=True).figures["noise_share"] == 0.0
    assert sc.score(gold, {"proposals": [undated]}, with_hsg=True).figures["noise_share"] == 1.0


# -- the later held-apart sets (texts-b/../-j + gold-b/../-j.yaml) ---------------------------

HERE = Path(__file__).resolve().parent
LATER_SETS = {
    "b": (HERE / "gold-b.yaml", HERE / "texts-b"),
    "c": (HERE / "gold-c.yaml", HERE / "texts-c"),
    "d": (HERE / "gold-d.yaml", HERE / "texts-d"),
    "e": (HERE / "gold-e.yaml", HERE / "texts-e"),
    "f": (HERE / "gold-f.yaml", HERE / "texts-f"),
    "g": (HERE / "gold-g.yaml", HERE / "texts-g"),
    "h": (HERE / "gold-h.yaml", HERE / "texts-h"),
    "i": (HERE / "gold-i.yaml", HERE / "texts-i"),
    "j": (HERE / "gold-j.yaml", HERE / "texts-j"),
}
ALL_GOLD = {"a": sc.GOLD, **{name: gold for name, (gold, _) in LATER_SETS.items()}}


@pytest.mark.parametrize("name", sorted(LATER_SETS))
def test_later_set_is_sound(name: str) -> None:
    gold = sc.load_gold(LATER_SETS[name][0])
    texts = sc.load_texts(gold, LATER_SETS[name][1])
    assert len(gold.docs) >= 8
    assert {d["genre"] for d in gold.docs.values()} >= {
        "press statement",
        "media note",
        "editorial",
    }
    for other, path in ALL_GOLD.items():
        if other != name:
            assert not set(gold.docs) & set(sc.load_gold(path).docs), (
                f"file names shared with {other}"
            )
    curated = set()
    for path in (ROOT / "data" / "knowledge").glob("*.yaml"):
        curated |= {e["id"] for e in yaml.safe_load(path.read_text())["entities"]}
    for file, text in texts.items():
        assert "migra" not in text.lower(), f"{file} touches the reserved migration talks"
    for lk in gold.links:
        assert lk.surface is None or lk.surface in texts[lk.doc], f"{lk.doc}: {lk.surface!r}"
        assert lk.hsg_only or lk.entity in curated, f"{lk.doc}: {lk.entity} is not curated"
    for doc, surface, _ in gold.must_not_link:
        assert surface in texts[doc], f"{doc}: must_not_link {surface!r}"
    for item in gold.proposals:
        if item.kind in {"Person", "Organization", "Place", "Country"}:
            text = f" {sc.norm(texts[item.doc])} "
            assert any(f" {n} " in text for n in item.names), f"{item.doc}: {item.name}"
    test_meeting_dates_are_resolved_and_precise(gold)
    # A flawless prediction passes every target.
    for with_hsg in (False, True):
        report = sc.score(gold, perfect(gold, with_hsg=with_hsg), with_hsg=with_hsg, texts=texts)
        assert all(report.passes().values()), report.figures


def test_third_set_keeps_off_cuba() -> None:
    gold = sc.load_gold(LATER_SETS["c"][0])
    for file, text in sc.load_texts(gold, LATER_SETS["c"][1]).items():
        assert "cuba" not in text.lower(), f"{file}: set C has no U.S.-Cuba text at all"


def keeps_off_cuba(name: str) -> None:
    """No U.S.-Cuba text in the set, and neither its gold ids nor its names point at Cuba."""
    gold = sc.load_gold(LATER_SETS[name][0])
    for file, text in sc.load_texts(gold, LATER_SETS[name][1]).items():
        assert "cuba" not in text.lower(), f"{file}: set {name} has no U.S.-Cuba text at all"
    names = [n for item in gold.proposals for n in item.names]
    ids = [i for lk in gold.links for i in lk.ids]
    assert not [x for x in names + ids if "cuba" in x], f"set {name} points at Cuba"


def test_fourth_set_keeps_off_cuba() -> None:
    keeps_off_cuba("d")


def test_fifth_set_keeps_off_cuba() -> None:
    keeps_off_cuba("e")


def test_sixth_set_keeps_off_cuba() -> None:
    keeps_off_cuba("f")


def test_seventh_set_keeps_off_cuba() -> None:
    keeps_off_cuba("g")


def test_eighth_set_keeps_off_cuba() -> None:
    keeps_off_cuba("h")


def test_ninth_set_keeps_off_cuba() -> None:
    keeps_off_cuba("i")


def test_tenth_set_keeps_off_cuba() -> None:
    keeps_off_cuba("j")


@pytest.fixture(scope="module")
def hsg_ids() -> set[str]:
    if not HSG.is_dir():
        pytest.skip("../shared/datasets/hsg is absent")
    sys.path.insert(0, str(ROOT))
    from loaders.hsg import read_hsg

    return {n for rec in read_hsg(HSG).datasets.values() for n in rec.nodes}


@pytest.mark.parametrize("name", sorted(ALL_GOLD))
def test_hsg_ids_exist(name: str, hsg_ids: set[str]) -> None:
    """Every historian id the set names is one the loader makes (patterns match one)."""
    gold = sc.load_gold(ALL_GOLD[name])
    for lk in gold.links:
        for ident in lk.ids if lk.hsg_only else lk.also:
            assert ident in hsg_ids, f"{lk.doc}: {ident} is not an id the historian loader makes"
    patterns = [p for item in gold.proposals for p in item.may_link]
    patterns += [p for pair in gold.must_not_merge for p in pair if p.startswith("candidate-")]
    patterns += [entity for _, _, entity in gold.neutral_links if entity.startswith("hsg-")]
    missing = [p for p in patterns if not sc.id_matches_any(hsg_ids, p)]
    assert not missing, f"match no hsg id: {missing}"


@pytest.mark.parametrize(
    ("predicted", "wanted", "same"),
    [
        ("President Obama", "Obama", True),
        ("Obama", "President Obama", True),
        ("Secretary of State John Kerry", "John Kerry", True),
        ("U.S. Ambassador Jane Roe", "Jane Roe", True),
        ("Dwight L. Bush, Sr.", "Dwight L. Bush", True),
        ("Ambassador John Doe Jr.", "John Doe", True),
        ("Michelle Obama", "Obama", False),
        ("First Lady Michelle Obama", "Obama", False),
        ("Secretary of State", "State", False),
        ("President Obama", "Barack Obama", False),
    ],
)
def test_same_name_sets_a_title_and_jr_sr_aside(predicted: str, wanted: str, same: bool) -> None:
    assert sc.same_name(predicted, wanted) is same


def test_a_titled_span_of_the_right_person_is_a_right_link() -> None:
    gold = sc.parse_gold(
        {
            "documents": [
                {
                    "file": "x.txt",
                    "title": "t",
                    "publisher": "p",
                    "date": "2015-01-01",
                    "links": [{"surface": "Doe", "entity": "doe-jane"}],
                }
            ]
        }
    )
    right = {"links": [{"doc": "x.txt", "surface": "President Doe", "entity": "doe-jane"}]}
    assert sc.score(gold, right, with_hsg=False).figures["link_recall"] == 1.0
    other = {"links": [{"doc": "x.txt", "surface": "Jim Doe", "entity": "doe-jane"}]}
    assert sc.score(gold, other, with_hsg=False).figures["link_recall"] == 0.0
