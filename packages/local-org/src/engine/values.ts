import { SfError } from '../errors';
import type { FieldDef, SObjectDef } from '../schema';
import { isWellFormedId, normalizeId } from '../store/ids';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Salesforce's datetime wire format: `2024-05-01T12:00:00.000+0000`. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/**
 * Converts a JSON value sent by a client into the stored value of a field, with the error Salesforce
 * gives for each kind of bad value.
 */
export function coerceValue(def: SObjectDef, field: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined || value === '') {
    if (field.type === 'boolean') return false;
    return null;
  }
  switch (field.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw jsonError(field, value, 'boolean');
    case 'int':
    case 'double':
    case 'currency': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw jsonError(field, value, field.type === 'int' ? 'int' : 'double');
      return field.type === 'int' ? Math.trunc(n) : n;
    }
    case 'date': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
        throw new SfError(
          'INVALID_TYPE_ON_FIELD_IN_RECORD',
          `${field.label}: value not of required type: ${String(value)}`,
          400,
          [field.name],
        );
      }
      return value;
    }
    case 'datetime': {
      const t = typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : NaN;
      if (Number.isNaN(t)) {
        throw new SfError(
          'INVALID_TYPE_ON_FIELD_IN_RECORD',
          `${field.label}: value not of required type: ${String(value)}`,
          400,
          [field.name],
        );
      }
      return formatDateTime(new Date(t));
    }
    case 'reference':
    case 'id': {
      if (!isWellFormedId(value)) {
        throw new SfError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${String(value)}`, 400, [
          field.name,
        ]);
      }
      return normalizeId(value);
    }
    default: {
      if (typeof value === 'object') throw jsonError(field, value, 'String');
      const s = String(value);
      if (field.length !== undefined && s.length > field.length) {
        throw new SfError(
          'STRING_TOO_LONG',
          `${field.label}: data value too large: ${s} (max length=${field.length})`,
          400,
          [field.name],
        );
      }
      if (field.type === 'email' && !EMAIL.test(s)) {
        throw new SfError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${s}`, 400, [field.name]);
      }
      if (
        field.type === 'picklist' &&
        !field.openPicklist &&
        field.picklistValues &&
        !field.picklistValues.includes(s)
      ) {
        throw new SfError(
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${field.label}: bad value for restricted picklist field: ${s}`,
          400,
          [field.name],
        );
      }
      return s;
    }
  }
}

function jsonError(field: FieldDef, value: unknown, type: string): SfError {
  return new SfError(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${type} from ${typeof value === 'string' ? 'VALUE_STRING' : 'START_OBJECT'} value ${JSON.stringify(value)} or request may be missing a required field`,
    400,
    [field.name],
  );
}
