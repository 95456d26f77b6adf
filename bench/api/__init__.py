"""The API benchmark: diplograph vs @neo4j/graphql vs raw Cypher on one Neo4j (bench/README.md)."""
