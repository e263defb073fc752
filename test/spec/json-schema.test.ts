import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { JSON_SCHEMA_PATH, buildJsonSchema, renderJsonSchema } from '../../src/spec/json-schema';

const ROOT = join(__dirname, '..', '..');

describe('JSON Schema', () => {
  it('the committed file is up to date (run: npx tsx scripts/write-json-schema.ts)', () => {
    const committed = readFileSync(join(ROOT, JSON_SCHEMA_PATH), 'utf8');
    assert.equal(committed, renderJsonSchema());
  });

  it('describes the input side: strict objects, enums, defaults, both grant forms', () => {
    const schema = buildJsonSchema() as any;
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required.sort(), [
      'access',
      'apiVersion',
      'app',
      'approvers',
      'displayName',
      'kind',
      'name',
      'owner',
      'purpose',
      'requestedBy',
    ]);
    assert.deepEqual(schema.properties.app.properties.flow.enum, ['jwt-bearer', 'client-credentials']);
    assert.deepEqual(schema.properties.app.properties.scopes.default, ['api']);
    const grant = schema.properties.access.properties.objects.items;
    assert.equal(grant.additionalProperties, false);
    assert.ok(grant.properties.rights && grant.properties.read && grant.properties.modifyAll);
  });

  it('every example points its editor at the schema', () => {
    for (const f of ['billing.yaml', 'warehouse-cc.yaml']) {
      const first = readFileSync(join(ROOT, 'examples', f), 'utf8').split('\n')[0];
      assert.equal(first, '# yaml-language-server: $schema=../schema/integration-spec.schema.json');
    }
  });

  // ajv arrives with fastify; the check is skipped rather than faked if a future install drops it.
  let Ajv:
    | (new (opts: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } })
    | undefined;
  try {
    Ajv = require('ajv').default;
  } catch {
    Ajv = undefined;
  }

  it('accepts the examples and flags a typo as an editor would', { skip: Ajv ? false : 'ajv not installed' }, () => {
    const validate = new Ajv!({ allErrors: true, strict: false }).compile(buildJsonSchema());
    for (const f of ['billing.yaml', 'warehouse-cc.yaml']) {
      const data = parse(readFileSync(join(ROOT, 'examples', f), 'utf8'));
      assert.ok(validate(data), `${f}: ${JSON.stringify(validate.errors)}`);
      assert.equal(validate({ ...data, app: { ...data.app, scope: ['api'] } }), false);
      assert.equal(validate({ ...data, app: { ...data.app, flow: 'username-password' } }), false);
    }
  });
});
