// Lints Cypher statements with Neo4j's own front end (@neo4j-cypher/language-support).
// Input on stdin: a JSON array of statements. Output on stdout: a JSON array with, for each
// statement, its diagnostics as {severity, message, offset}.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const statements = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const report = statements.map((query) =>
  lintCypherQuery(query, {}).diagnostics.map((d) => ({
    severity: d.severity,
    message: d.message,
    offset: d.offsets ? d.offsets.start : null,
  })),
);
process.stdout.write(JSON.stringify(report));
