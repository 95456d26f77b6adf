// The @neo4j/graphql 7 peer of diplograph's API, served by GraphQL Yoga on node:http.
//
// Production settings: no GraphiQL, no landing page, masked errors, warnings only.
// Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE, PORT, HOST (127.0.0.1),
// WORKERS (node:cluster processes, like uvicorn --workers). `node server.mjs --print-schema`
// prints the generated GraphQL schema and exits.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { printSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import { buildSchema, connect, database, env } from "./peer.mjs";

const workers = Number.parseInt(env.WORKERS ?? "1", 10);

async function serve() {
  const driver = connect();
  const schema = await buildSchema(driver);
  const yoga = createYoga({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: false,
    landingPage: false,
    maskedErrors: true,
    logging: "warn",
    context: () => ({ sessionConfig: { database } }),
  });
  const server = createServer(yoga);
  server.keepAliveTimeout = 65_000;
  const port = Number.parseInt(env.PORT ?? "4000", 10);
  server.listen(port, env.HOST ?? "127.0.0.1", () => {
    if (!cluster.isWorker || cluster.worker.id === 1) {
      console.log(`@neo4j/graphql peer on http://${env.HOST ?? "127.0.0.1"}:${port}/graphql`);
    }
  });
  const stop = () => server.close(() => driver.close().then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv.includes("--print-schema")) {
  const driver = connect();
  console.log(printSchema(await buildSchema(driver)));
  await driver.close();
} else if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  cluster.on("exit", (worker, code) => {
    if (!stopping) {
      console.error(`worker ${worker.process.pid} exited with ${code}; stopping`);
      process.exit(1);
    }
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers)) w?.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  await serve();
}
