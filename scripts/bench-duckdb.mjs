// Runs the set-up of a SQL script (what precedes its first line "--
// statement: NAME") and then the statement named on the command line, on an
// in-memory DuckDB with one thread per CPU, and prints its wall-clock
// seconds as "duckdb_NAME_seconds=S". Used by scripts/bench-extract.sh,
// which installs @duckdb/node-api first.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';

const script = readFileSync(process.argv[2], 'utf8');
const parts = script.split(/^-- statement: (\S+)\n/m);
const instance = await DuckDBInstance.create(':memory:', { threads: String(availableParallelism()) });
const conn = await instance.connect();
if (parts[0].trim() !== '') {
  await conn.run(parts[0]);
}
const only = process.argv[3];
if (!parts.includes(only)) {
  console.error(`bench-duckdb: ${process.argv[2]} has no statement named ${only}`);
  process.exit(2);
}
for (let i = 1; i < parts.length; i += 2) {
  if (parts[i] !== only) {
    continue;
  }
  const started = process.hrtime.bigint();
  const reader = await conn.runAndReadAll(parts[i + 1]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rows = reader.getRows();
  console.log(`duckdb_${parts[i]}_seconds=${seconds.toFixed(2)} duckdb_${parts[i]}_rows=${rows.length === 1 && rows[0].length === 1 ? rows[0][0] : rows.length}`);
}
