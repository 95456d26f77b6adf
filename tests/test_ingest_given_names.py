"""The given-name list is built from the historian's records, places left out, and the
committed list is what that build writes (`python -m loaders.ingest.given_names`)."""

from __future__ import annotations

from pathlib import Path

from loaders.ingest.given_names import build, given_names
from loaders.ingest.text import folded

HSG = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "hsg"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{text}', encoding="utf-8")


def test_given_names_come_from_forenames_and_titled_visitors_not_places(tmp_path: Path) -> None:
    person = "<person><persName><surname>{}</surname><forename>{}</forename></persName></person>"
    for n, (surname, forename) in enumerate(
        [("Lind", "Ivo K."), ("Vale", "Tirana"), ("Holt", "J. Peter"), ("Moss", "Orla")]
    ):
        _write(tmp_path / "pocom" / "people" / "x" / f"p{n}.xml", person.format(surname, forename))
    _write(
        tmp_path / "visits" / "data" / "2010.xml",
        "<visits><visit><visitor>Prime Minister Kalle Berg</visitor></visit>"
        "<visit><visitor>Chancellor Adenholm</visitor></visit></visits>",
    )
    _write(
        tmp_path / "travels" / "secretary-travels" / "t.xml",
        "<trips><trip><country id='x'>Albania</country><locale>Tirana</locale>"
        "<locale>Orla Bay</locale>"
        "<remarks>Met with Foreign Minister Sanna Rask.</remarks></trip></trips>",
    )
    built = build(tmp_path)
    assert built == sorted(built)
    assert {"Ivo", "Kalle", "Sanna", "Ben"} <= set(built)  # "Ben": the project's nicknames
    # "Tirana" and "Orla" are places too; "J." an initial; "Adenholm" a surname alone.
    assert not {"Tirana", "Orla", "J.", "Peter", "Adenholm", "Prime"} & set(built)


def test_the_committed_list_is_the_build_of_the_historians_records() -> None:
    if not HSG.is_dir():
        return  # the shared datasets are not on this machine: nothing to compare
    assert given_names() == {folded(n) for n in build(HSG)}
