// The Cypher @neo4j/graphql runs for each request, and what it costs Neo4j.
//
//   node capture.mjs jobs.json   (jobs: [{"name", "query", "variables"}, ...])
//
// Each GraphQL request runs in-process against the peer's schema, with the driver's
// ManagedTransaction.run wrapped to record the statements and parameters @neo4j/graphql
// sends; each recorded statement is then run again with PROFILE, and the db hits of its
// plan are summed. Prints one JSON object: {name: {statements: [...], dbHits, rows}}.
import { readFileSync } from "node:fs";
import { graphql } from "graphql";
import neo4j from "neo4j-driver";
import { buildSchema, connect, database } from "./peer.mjs";

const recorded = [];
const originalRun = neo4j.ManagedTransaction.prototype.run;
neo4j.ManagedTransaction.prototype.run = function run(query, parameters, ...rest) {
  recorded.push({ query, parameters });
  return originalRun.call(this, query, parameters, ...rest);
};

function sumPlan(plan) {
  let hits = plan.dbHits ?? 0;
  for (const child of plan.children ?? []) hits += sumPlan(child);
  return hits;
}

function profiled(query) {
  const match = /^(CYPHER[^\n]*\n)/.exec(query);
  return match ? `${match[1]}PROFILE ${query.slice(match[1].length)}` : `PROFILE ${query}`;
}

const jobs = JSON.parse(readFileSync(process.argv[2], "utf8"));
const driver = connect();
const schema = await buildSchema(driver);
const out = {};
try {
  for (const job of jobs) {
    recorded.length = 0;
    const result = await graphql({
      schema,
      source: job.query,
      variableValues: job.variables,
      contextValue: { sessionConfig: { database } },
    });
    // The first request of a schema also asks Neo4j for its version; that is not the query.
    const statements = recorded.splice(0).filter((s) => !s.query.includes("dbms.components()"));
    let dbHits = 0;
    let rows = 0;
    for (const statement of statements) {
      const session = driver.session({ database, defaultAccessMode: neo4j.session.READ });
      try {
        const res = await session.run(profiled(statement.query), statement.parameters);
        dbHits += sumPlan(res.summary.profile);
        rows += res.records.length;
      } finally {
        await session.close();
      }
    }
    out[job.name] = {
      statements: statements.map((s) => ({ cypher: s.query, parameters: s.parameters })),
      dbHits,
      rows,
      errors: (result.errors ?? []).map((e) => e.message),
    };
  }
} finally {
  await driver.close();
}
process.stdout.write(JSON.stringify(out));
