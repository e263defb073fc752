import { SfError, insufficientAccess, notFound } from '../errors';
import type { LocalOrg } from '../org';
import { fieldOf, type FieldDef, type SObjectDef } from '../schema';
import { Access, computePermissions } from '../security/permissions';
import type { Row } from '../store/database';
import { isWellFormedId, normalizeId, sameId } from '../store/ids';
import type { RunAs } from './run-as';
import { deletedEntry, recycle } from '../store/recycle-bin';
import { coerceValue, formatDateTime } from './values';

/**
 * Create, read, update and delete of sObject records with the checks Salesforce makes, in its order:
 * the object exists and is visible, the operation is allowed on it, each field exists, is writable and
 * visible to the running user, values have the right type and size, required fields are present,
 * unique fields are unique, references point at records of the right type, and then the object's own
 * rules (see rules/) run. Every call is atomic.
 */
export class Dml {
  private accessCache = new Map<string, { revision: number; access: Access }>();

  constructor(private readonly org: LocalOrg) {}

  /** The access of a user, recomputed whenever the org changed. */
  access(userId: string): Access {
    const cached = this.accessCache.get(userId);
    if (cached && cached.revision === this.org.db.revision) return cached.access;
    const user = this.org.db.get('User', userId);
    if (!user) throw insufficientAccess();
    const access = new Access(computePermissions(this.org.db, user));
    this.accessCache.set(userId, { revision: this.org.db.revision, access });
    return access;
  }

  /** The object definition for a name a caller used; unknown and invisible objects look alike. */
  describeFor(runAs: RunAs, typeName: string): SObjectDef {
    const def = this.org.schema.get(typeName);
    if (!def || (runAs.kind === 'user' && !this.access(runAs.userId).canRead(def))) {
      throw new SfError('NOT_FOUND', `The requested resource does not exist`, 404);
    }
    return def;
  }

  create(runAs: RunAs, typeName: string, input: Record<string, unknown>): Row {
    const def = this.describeFor(runAs, typeName);
    if (!def.createable)
      throw new SfError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${def.label}`, 400);
    if (runAs.kind === 'user' && !this.access(runAs.userId).object(def).create) throw insufficientAccess();
    const values = this.clean(input);
    if ('id' in lowerKeys(values)) {
      throw new SfError('INVALID_FIELD', 'The Id field should not be specified in the sobject data.', 400);
    }
    return this.org.db.transaction(() => {
      const row = this.newRow(def, runAs.kind === 'user' ? runAs.userId : this.org.adminUserId);
      this.assign(runAs, def, row, values, 'create');
      this.org.rulesFor(def.name).beforeInsert?.({ org: this.org, runAs }, row);
      this.checkRequired(def, row);
      this.checkUnique(def, row);
      const stored = this.org.db.insert(def.name, row);
      this.org.rulesFor(def.name).afterInsert?.({ org: this.org, runAs }, stored);
      return stored;
    });
  }

  update(runAs: RunAs, typeName: string, id: string, input: Record<string, unknown>): Row {
    const def = this.describeFor(runAs, typeName);
    const before = this.existing(runAs, def, id);
    if (!def.updateable)
      throw new SfError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${def.label}`, 400);
    if (runAs.kind === 'user' && !this.access(runAs.userId).object(def).edit) throw insufficientAccess();
    const values = this.clean(input);
    const idValue = Object.entries(values).find(([k]) => k.toLowerCase() === 'id');
    if (idValue) {
      if (!sameId(idValue[1], before.Id))
        throw new SfError('INVALID_ID_FIELD', 'Id in URL does not match Id in body', 400);
      delete values[idValue[0]];
    }
    return this.org.db.transaction(() => {
      const now = formatDateTime(this.org.now());
      const after: Row = { ...before, LastModifiedDate: now, SystemModstamp: now };
      after.LastModifiedById = runAs.kind === 'user' ? runAs.userId : this.org.adminUserId;
      this.assign(runAs, def, after, values, 'update');
      this.org.rulesFor(def.name).beforeUpdate?.({ org: this.org, runAs }, before, after);
      this.checkRequired(def, after);
      this.checkUnique(def, after);
      const stored = this.org.db.update(def.name, before.Id, after);
      this.org.rulesFor(def.name).afterUpdate?.({ org: this.org, runAs }, before, stored);
      return stored;
    });
  }

  delete(runAs: RunAs, typeName: string, id: string): void {
    const def = this.describeFor(runAs, typeName);
    const row = this.existing(runAs, def, id);
    if (!def.deletable)
      throw new SfError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be deleted: ${def.label}`, 400);
    if (runAs.kind === 'user' && !this.access(runAs.userId).object(def).delete) throw insufficientAccess();
    this.org.db.transaction(() => {
      this.org.rulesFor(def.name).beforeDelete?.({ org: this.org, runAs }, row);
      this.org.db.delete(def.name, row.Id);
      if (!def.setup)
        recycle(
          this.org.db,
          def.name,
          row,
          formatDateTime(this.org.now()),
          runAs.kind === 'user' ? runAs.userId : null,
        );
      this.org.rulesFor(def.name).afterDelete?.({ org: this.org, runAs }, row);
    });
  }

  /**
   * Writes a row as given, with defaults and system fields filled in but no validation and no rules:
   * for seeding, and for the admin API that injects drift the way a human in Setup would.
   */
  insertRaw(typeName: string, values: Record<string, unknown>): Row {
    const def = this.org.schema.require(typeName);
    const row = { ...this.newRow(def, this.org.seed?.adminUserId ?? null), ...values };
    return this.org.db.insert(def.name, row);
  }

  private newRow(def: SObjectDef, by: string | null): Row {
    const now = formatDateTime(this.org.now());
    const row: Row = { Id: this.org.db.nextId(def.keyPrefix) };
    for (const field of def.fields.values()) {
      if (field.defaultValue !== undefined) row[field.name] = field.defaultValue;
      else if (field.type !== 'id') row[field.name] = null;
    }
    Object.assign(row, {
      IsDeleted: false,
      CreatedDate: now,
      CreatedById: by,
      LastModifiedDate: now,
      LastModifiedById: by,
      SystemModstamp: now,
    });
    if (def.fields.has('ownerid')) row.OwnerId = by;
    return row;
  }

  /**
   * One record as REST returns it: every field the user may read (or the requested ones, each of which
   * must exist and be readable), with `attributes`.
   */
  retrieve(runAs: RunAs, typeName: string, id: string, fieldNames?: string[]): Record<string, unknown> {
    const def = this.describeFor(runAs, typeName);
    const row = this.existing(runAs, def, id);
    const access = runAs.kind === 'user' ? this.access(runAs.userId) : undefined;
    const fields: FieldDef[] = [];
    if (fieldNames?.length) {
      for (const name of fieldNames) {
        const f = fieldOf(def, name.trim());
        if (!f || (access && !access.canReadField(def, f))) {
          throw new SfError(
            'INVALID_FIELD',
            `No such column '${name.trim()}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
            400,
          );
        }
        fields.push(f);
      }
    } else {
      for (const f of def.fields.values()) if (!access || access.canReadField(def, f)) fields.push(f);
    }
    const out: Record<string, unknown> = {
      attributes: { type: def.name, url: `${this.org.apiPath()}/sobjects/${def.name}/${row.Id}` },
    };
    for (const f of fields) out[f.name] = row[f.name] ?? null;
    return out;
  }

  /**
   * A visible record by id; ENTITY_IS_DELETED for one in the recycle bin, else NOT_FOUND; ids of the wrong
   * shape or object give MALFORMED_ID.
   */
  existing(runAs: RunAs, def: SObjectDef, id: string): Row {
    if (!isWellFormedId(id) || normalizeId(id).slice(0, 3) !== def.keyPrefix) {
      throw new SfError('MALFORMED_ID', `${def.label} ID: id value of incorrect type: ${id}`, 400, ['Id']);
    }
    const row = this.org.db.get(def.name, id);
    if (!row && deletedEntry(this.org.db, def.name, id))
      throw new SfError('ENTITY_IS_DELETED', 'entity is deleted', 404);
    if (!row || (runAs.kind === 'user' && !this.access(runAs.userId).canSeeRow(def, row))) throw notFound();
    return row;
  }

  private clean(input: Record<string, unknown>): Record<string, unknown> {
    const values = { ...input };
    delete values.attributes;
    return values;
  }

  private assign(
    runAs: RunAs,
    def: SObjectDef,
    row: Row,
    values: Record<string, unknown>,
    op: 'create' | 'update',
  ): void {
    const access = runAs.kind === 'user' ? this.access(runAs.userId) : undefined;
    const unwritable: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      const field = fieldOf(def, name);
      if (!field || (access && !def.setup && !access.canReadField(def, field) && field.permissionable)) {
        throw new SfError('INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`, 400);
      }
      const writable = op === 'create' ? field.createable : field.updateable;
      if (!writable || (access && !access.canEditField(def, field))) {
        unwritable.push(field.name);
        continue;
      }
      const coerced = coerceValue(def, field, value);
      if (field.type === 'reference' && coerced !== null) this.checkReference(def, field, coerced as string);
      row[field.name] = coerced;
    }
    if (unwritable.length) {
      throw new SfError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${unwritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        400,
        unwritable,
      );
    }
  }

  private checkReference(def: SObjectDef, field: FieldDef, id: string): void {
    const target = this.org.schema.forId(id);
    if (!target || !field.referenceTo?.includes(target.name) || !this.org.db.get(target.name, id)) {
      throw new SfError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, 400, [field.name]);
    }
  }

  private checkRequired(def: SObjectDef, row: Row): void {
    const missing = [...def.fields.values()].filter(
      (f) => f.required && (row[f.name] === null || row[f.name] === undefined || row[f.name] === ''),
    );
    if (missing.length) {
      const names = missing.map((f) => f.name);
      throw new SfError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, 400, names);
    }
  }

  private checkUnique(def: SObjectDef, row: Row): void {
    for (const field of def.fields.values()) {
      if (!field.unique || row[field.name] == null) continue;
      const value = String(row[field.name]).toLowerCase();
      const other = this.org.db.find(
        def.name,
        (r) => r.Id !== row.Id && String(r[field.name] ?? '').toLowerCase() === value,
      );
      if (other) {
        throw new SfError(
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${other.Id}`,
          400,
          [field.name],
        );
      }
    }
  }
}

function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}
