// Runs the graphql-http server audit (GraphQL over HTTP spec) against one URL and prints
// every result as JSON on stdout: [{id, name, status, reason?}]. Usage: node audit.mjs URL
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
const out = results.map((r) => ({
  id: r.id,
  name: r.name,
  status: r.status,
  ...(r.status === 'ok' ? {} : { reason: r.reason, httpStatus: r.response.status }),
}));
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
