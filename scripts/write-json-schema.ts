/**
 * Regenerates schema/integration-spec.schema.json from the zod schema.
 * Run: npx tsx scripts/write-json-schema.ts   (test/spec/json-schema.test.ts fails when it is stale)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JSON_SCHEMA_PATH, renderJsonSchema } from '../src/spec/json-schema';

const target = join(__dirname, '..', JSON_SCHEMA_PATH);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderJsonSchema());
console.log(`wrote ${JSON_SCHEMA_PATH}`);
