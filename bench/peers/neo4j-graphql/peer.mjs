// The peer's schema and driver, shared by server.mjs and capture.mjs.
import { readFileSync } from "node:fs";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

export const env = process.env;
export const database = env.NEO4J_DATABASE ?? "neo4j";
export const typeDefs = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");

export function connect() {
  return neo4j.driver(
    env.NEO4J_URI ?? "bolt://127.0.0.1:7687",
    neo4j.auth.basic(env.NEO4J_USER ?? "neo4j", env.NEO4J_PASSWORD ?? "diplograph-dev"),
    { disableLosslessIntegers: true, logging: { level: "warn", logger: (_l, m) => console.error(m) } },
  );
}

export async function buildSchema(driver) {
  return new Neo4jGraphQL({ typeDefs, driver }).getSchema();
}
