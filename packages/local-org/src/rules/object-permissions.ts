import { SfError } from '../errors';
import type { LocalOrg } from '../org';
import { fieldOf, type SObjectDef } from '../schema';
import type { Row } from '../store/database';
import { sameId } from '../store/ids';
import { assigneesOf, checkIntegrationLicense, grantsAnything } from './license-gate';
import {
  audit,
  duplicateComposite,
  fieldIntegrity,
  permissionSetLabelOf,
  standardProfileLocked,
  standardProfileOwner,
} from './support';
import type { ObjectRules, RuleContext } from './types';

type Permission = 'Read' | 'Create' | 'Edit' | 'Delete' | 'View All' | 'Modify All';

const FIELD_OF: Record<Permission, string> = {
  Read: 'PermissionsRead',
  Create: 'PermissionsCreate',
  Edit: 'PermissionsEdit',
  Delete: 'PermissionsDelete',
  'View All': 'PermissionsViewAllRecords',
  'Modify All': 'PermissionsModifyAllRecords',
};

const DEPENDS_ON: Record<Permission, Permission[]> = {
  Read: [],
  Create: ['Read'],
  Edit: ['Read'],
  Delete: ['Read', 'Edit'],
  'View All': ['Read'],
  'Modify All': ['Read', 'Edit', 'Delete', 'View All'],
};

/** A restricted picklist value Salesforce does not know, in its wording. */
export function badPicklistValue(org: LocalOrg, objectName: string, fieldName: string, value: unknown): SfError {
  const field = fieldOf(org.schema.require(objectName), fieldName);
  return new SfError(
    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    `${field?.label ?? fieldName}: bad value for restricted picklist field: ${String(value)}`,
    400,
    [field?.name ?? fieldName],
  );
}

/** Only data objects carry object permissions; setup objects are governed by system permissions. */
export function dataObjectNamed(org: LocalOrg, name: unknown, objectName: string): SObjectDef {
  const def = typeof name === 'string' ? org.schema.get(name) : undefined;
  if (!def || def.setup) throw badPicklistValue(org, objectName, 'SobjectType', name);
  return def;
}

/** The parent must be a permission set whose permissions may be edited (not a standard profile's). */
export function checkEditableParent(org: LocalOrg, row: Row): Row | undefined {
  if (typeof row.ParentId !== 'string') return undefined;
  const parent = org.db.get('PermissionSet', row.ParentId);
  const profile = standardProfileOwner(org, parent);
  if (profile) throw standardProfileLocked(profile, ['ParentId']);
  return parent;
}

function checkDependencies(row: Row): void {
  const object = String(row.SobjectType);
  for (const [permission, needs] of Object.entries(DEPENDS_ON) as Array<[Permission, Permission[]]>) {
    if (row[FIELD_OF[permission]] !== true) continue;
    const missing = needs.filter((n) => row[FIELD_OF[n]] !== true).sort();
    if (missing.length) {
      throw fieldIntegrity(
        `Permission ${permission} ${object} depends on permission(s): ${missing.map((m) => `${m} ${object}`).join(', ')}`,
        [FIELD_OF[permission]],
      );
    }
  }
}

function checkLicenseOfAssignees(org: LocalOrg, row: Row): void {
  if (!grantsAnything(row)) return;
  for (const user of assigneesOf(org, row.ParentId as string))
    checkIntegrationLicense(org, user, [String(row.SobjectType)]);
}

function describe(row: Row): string {
  return (Object.keys(FIELD_OF) as Permission[]).filter((p) => row[FIELD_OF[p]] === true).join(', ') || 'No Access';
}

export const objectPermissionsRules: ObjectRules = {
  beforeInsert({ org }: RuleContext, row: Row) {
    checkEditableParent(org, row);
    if (row.SobjectType == null) return;
    row.SobjectType = dataObjectNamed(org, row.SobjectType, 'ObjectPermissions').name;
    checkDependencies(row);
    const key = String(row.SobjectType).toLowerCase();
    if (
      org.db.find(
        'ObjectPermissions',
        (op) => sameId(op.ParentId, row.ParentId) && String(op.SobjectType).toLowerCase() === key,
      )
    ) {
      throw duplicateComposite();
    }
    checkLicenseOfAssignees(org, row);
  },

  afterInsert(ctx: RuleContext, row: Row) {
    audit(
      ctx,
      'PermSetEntityPermChanged',
      `Changed permission set ${permissionSetLabelOf(ctx.org, row.ParentId)}: object ${String(row.SobjectType)} permissions set to ${describe(row)}`,
    );
  },

  beforeUpdate({ org }: RuleContext, before: Row, after: Row) {
    checkEditableParent(org, after);
    if (!grantsAnything(after)) return; // deleted after the update, as Salesforce does
    checkDependencies(after);
    // Only a widening is checked, so that a grant that predates the rule can still be narrowed.
    if (Object.values(FIELD_OF).some((f) => after[f] === true && before[f] !== true))
      checkLicenseOfAssignees(org, after);
  },

  afterUpdate(ctx: RuleContext, before: Row, after: Row) {
    if (!grantsAnything(after)) ctx.org.db.delete('ObjectPermissions', after.Id);
    if (describe(before) !== describe(after)) {
      audit(
        ctx,
        'PermSetEntityPermChanged',
        `Changed permission set ${permissionSetLabelOf(ctx.org, after.ParentId)}: object ${String(after.SobjectType)} permissions changed from ${describe(before)} to ${describe(after)}`,
      );
    }
  },

  beforeDelete({ org }: RuleContext, row: Row) {
    checkEditableParent(org, row);
  },

  afterDelete(ctx: RuleContext, row: Row) {
    audit(
      ctx,
      'PermSetEntityPermChanged',
      `Changed permission set ${permissionSetLabelOf(ctx.org, row.ParentId)}: object ${String(row.SobjectType)} permissions removed`,
    );
  },
};
