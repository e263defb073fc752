/**
 * JSON Schema for editors (`# yaml-language-server: $schema=...`), generated from the zod schema so the
 * two can never disagree. It describes the *input* side: defaults are optional and both object-grant
 * forms are allowed. Cross-field rules (dependencies between rights, approvalsRequired ≤ approvers, ...)
 * cannot be expressed in JSON Schema; `onramp validate` still enforces them.
 */
import { z } from 'zod';
import { IntegrationSpecSchema } from './schema';

/** Repository-relative location of the committed file. */
export const JSON_SCHEMA_PATH = 'schema/integration-spec.schema.json';

export function buildJsonSchema(): Record<string, unknown> {
  // draft-07 because yaml-language-server and most editors support it best.
  return z.toJSONSchema(IntegrationSpecSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/** The exact bytes of the committed file (stable key order, trailing newline). */
export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
