import type { FieldDef, FieldType, SObjectDef } from './types';

type FieldOptions = Partial<Omit<FieldDef, 'name' | 'type'>>;

/** Label from an API name: `StageName` -> `Stage Name`, `Invoice__c` -> `Invoice`. */
export function labelOf(apiName: string): string {
  return apiName
    .replace(/__[cr]$/, '')
    .replace(/Id$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim();
}

export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  const required = options.required ?? false;
  const createable = options.createable ?? true;
  return {
    name,
    type,
    label: options.label ?? labelOf(name),
    required,
    createable,
    updateable: options.updateable ?? createable,
    // Required and read-only system fields carry no field-level security in Salesforce.
    permissionable: options.permissionable ?? (!required && createable),
    ...options,
  };
}

export const text = (name: string, length: number, o: FieldOptions = {}) => field(name, 'string', { length, ...o });
export const textArea = (name: string, length: number, o: FieldOptions = {}) =>
  field(name, 'textarea', { length, ...o });
export const email = (name: string, o: FieldOptions = {}) => field(name, 'email', { length: 128, ...o });
export const bool = (name: string, defaultValue = false, o: FieldOptions = {}) =>
  field(name, 'boolean', { defaultValue, ...o });
export const int = (name: string, o: FieldOptions = {}) => field(name, 'int', o);
export const double = (name: string, o: FieldOptions = {}) => field(name, 'double', o);
export const currency = (name: string, o: FieldOptions = {}) => field(name, 'currency', o);
export const date = (name: string, o: FieldOptions = {}) => field(name, 'date', o);
export const dateTime = (name: string, o: FieldOptions = {}) => field(name, 'datetime', o);
export const picklist = (name: string, values: string[], o: FieldOptions = {}) =>
  field(name, 'picklist', { picklistValues: values, length: 255, ...o });
export const lookup = (name: string, referenceTo: string | string[], relationshipName: string, o: FieldOptions = {}) =>
  field(name, 'reference', {
    referenceTo: Array.isArray(referenceTo) ? referenceTo : [referenceTo],
    relationshipName,
    length: 18,
    ...o,
  });

/** Read-only: maintained by the org itself. */
export const ro: FieldOptions = { createable: false, updateable: false };
/** Set once on create, never changed afterwards. */
export const createOnly: FieldOptions = { updateable: false };

export interface ObjectOptions {
  label?: string;
  labelPlural?: string;
  custom?: boolean;
  setup?: boolean;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  /** Data objects have an owner. */
  owned?: boolean;
}

function systemFields(owned: boolean): FieldDef[] {
  const fields = [
    field('Id', 'id', { ...ro, label: 'Record ID', length: 18 }),
    bool('IsDeleted', false, ro),
    dateTime('CreatedDate', ro),
    lookup('CreatedById', 'User', 'CreatedBy', ro),
    dateTime('LastModifiedDate', ro),
    lookup('LastModifiedById', 'User', 'LastModifiedBy', ro),
    dateTime('SystemModstamp', ro),
  ];
  if (owned) fields.push(lookup('OwnerId', 'User', 'Owner', { permissionable: false }));
  return fields;
}

export function sobject(name: string, keyPrefix: string, fields: FieldDef[], options: ObjectOptions = {}): SObjectDef {
  const custom = options.custom ?? name.endsWith('__c');
  const label = options.label ?? labelOf(name);
  const all = [...systemFields(options.owned ?? false), ...fields];
  return {
    name,
    label,
    labelPlural: options.labelPlural ?? `${label}s`,
    keyPrefix,
    custom,
    setup: options.setup ?? false,
    createable: options.createable ?? true,
    updateable: options.updateable ?? true,
    deletable: options.deletable ?? true,
    queryable: true,
    fields: new Map(all.map((f) => [f.name.toLowerCase(), f])),
  };
}
