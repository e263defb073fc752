/** Field and object definitions of the local org: the single source for describe, SOQL, DML and security. */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'url'
  | 'phone'
  | 'picklist'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'reference';

export interface FieldDef {
  name: string;
  type: FieldType;
  label: string;
  length?: number;
  /** Must be given on create (and can never carry field-level security). */
  required: boolean;
  createable: boolean;
  updateable: boolean;
  /** Whether a permission set can grant or withhold access to it (FieldPermissions). */
  permissionable: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  picklistValues?: string[];
  /** Picklists are restricted unless marked open: an open one accepts values outside its list (Account.Industry). */
  openPicklist?: boolean;
  defaultValue?: unknown;
  /** Unique within the object, case-insensitively (for example PermissionSet.Name). */
  unique?: boolean;
}

export interface SObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  /** Setup object: cannot be mixed with data objects in one DML call; gated by system permissions. */
  setup: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  /** Keyed by lower-cased field name. */
  fields: Map<string, FieldDef>;
}
