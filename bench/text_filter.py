"""Db hits of the `text` filter: candidates from the full-text index against a label scan.

    .venv/bin/python -m bench.text_filter [TEXT ...]

Against the configured Neo4j (NEO4J_URI, or the local server), read only: compiles
`meetings(where: {text: TEXT}, orderBy: NAME, first: 20) { totalCount ... }` (and the
same over the actor labels) as the API does, and runs it with PROFILE twice: as compiled
(`graph/projection.py` `text_candidates` reads the `entity_search` index first), and as
`where: {OR: [{text: TEXT}]}`, the same filter where no index drives it (every node of the
labels read, as before). Both must count the same matches; the db hits of each are printed.
"""

from __future__ import annotations

import argparse

from neo4j import RoutingControl

from bench.api.profiling import plan_db_hits
from diplograph.settings import get_settings
from graph import reads
from graph.driver import connect
from graph.projection import Filter, NodeProjection, Page, Prop
from graph.reads import Order

LABELS = (("Meeting",), ("Person", "Organization", "Delegation", "Country"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("texts", nargs="*", default=["havana", "in havana", "ission", "trip"])
    args = parser.parse_args()
    settings = get_settings()
    driver = connect(settings)
    projection = NodeProjection([("name", Prop("name"))])
    try:
        for labels in LABELS:
            for text in args.texts:
                hits, totals = [], []
                for where in (Filter(any_of=[Filter(text=text)]), Filter(text=text)):
                    statement = reads.list_entities(
                        labels, where, [Order("NAME")], Page(limit=20),
                        projection, True,
                    )  # fmt: skip
                    records, summary, _ = driver.execute_query(
                        "PROFILE " + statement.cypher, statement.params,
                        database_=settings.neo4j_database, routing_=RoutingControl.READ,
                    )  # fmt: skip
                    totals.append(records[0]["total"])
                    hits.append(plan_db_hits(summary.profile))
                if totals[0] != totals[1]:
                    raise SystemExit(f"{text!r}: {totals[0]} matches scanned, {totals[1]} indexed")
                print(
                    f"{'|'.join(labels)} text={text!r}: {totals[1]} matches; db hits: "
                    f"label scan {hits[0]:,}, full-text candidates {hits[1]:,}"
                )
    finally:
        driver.close()


if __name__ == "__main__":
    main()
