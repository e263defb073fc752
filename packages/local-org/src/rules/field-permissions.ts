import type { Row } from '../store/database';
import { sameId } from '../store/ids';
import { badPicklistValue, checkEditableParent, dataObjectNamed } from './object-permissions';
import { audit, duplicateComposite, fieldIntegrity, permissionSetLabelOf } from './support';
import type { ObjectRules, RuleContext } from './types';
import type { LocalOrg } from '../org';
import { fieldOf } from '../schema';

/**
 * `Field` is `Object.Field`; it must name a field that can carry field-level security (required and
 * system fields cannot) on the object named by SobjectType. Both are stored with their API spelling.
 */
function normalizeField(org: LocalOrg, row: Row): void {
  const value = String(row.Field);
  const dot = value.indexOf('.');
  const objectDef = dot > 0 ? org.schema.get(value.slice(0, dot)) : undefined;
  const field = objectDef && !objectDef.setup ? fieldOf(objectDef, value.slice(dot + 1)) : undefined;
  if (!objectDef || !field || !field.permissionable)
    throw badPicklistValue(org, 'FieldPermissions', 'Field', row.Field);
  row.Field = `${objectDef.name}.${field.name}`;
  if (row.SobjectType == null) return;
  const sobject = dataObjectNamed(org, row.SobjectType, 'FieldPermissions');
  if (sobject.name !== objectDef.name) {
    throw fieldIntegrity(
      `The field ${String(row.Field)} doesn't belong to the object ${sobject.name} named in SobjectType.`,
      ['SobjectType'],
    );
  }
  row.SobjectType = sobject.name;
}

function checkEditNeedsRead(row: Row): void {
  if (row.PermissionsEdit === true && row.PermissionsRead !== true) {
    throw fieldIntegrity(`Permission Edit ${String(row.Field)} depends on permission(s): Read ${String(row.Field)}`, [
      'PermissionsEdit',
    ]);
  }
}

const describe = (row: Row) =>
  row.PermissionsEdit === true ? 'Read/Edit' : row.PermissionsRead === true ? 'Read' : 'No Access';

export const fieldPermissionsRules: ObjectRules = {
  beforeInsert({ org }: RuleContext, row: Row) {
    checkEditableParent(org, row);
    if (row.Field == null) return;
    normalizeField(org, row);
    checkEditNeedsRead(row);
    const key = String(row.Field).toLowerCase();
    if (
      org.db.find(
        'FieldPermissions',
        (fp) => sameId(fp.ParentId, row.ParentId) && String(fp.Field).toLowerCase() === key,
      )
    ) {
      throw duplicateComposite();
    }
  },

  afterInsert(ctx: RuleContext, row: Row) {
    audit(
      ctx,
      'PermSetFlsChanged',
      `Changed permission set ${permissionSetLabelOf(ctx.org, row.ParentId)}: field-level security for ${String(row.Field)} was changed from No Access to ${describe(row)}`,
    );
  },

  beforeUpdate({ org }: RuleContext, _before: Row, after: Row) {
    checkEditableParent(org, after);
    checkEditNeedsRead(after);
  },

  // A row without Read grants nothing: Salesforce deletes it.
  afterUpdate(ctx: RuleContext, before: Row, after: Row) {
    if (after.PermissionsRead !== true) ctx.org.db.delete('FieldPermissions', after.Id);
    if (describe(before) !== describe(after)) {
      audit(
        ctx,
        'PermSetFlsChanged',
        `Changed permission set ${permissionSetLabelOf(ctx.org, after.ParentId)}: field-level security for ${String(after.Field)} was changed from ${describe(before)} to ${describe(after)}`,
      );
    }
  },

  beforeDelete({ org }: RuleContext, row: Row) {
    checkEditableParent(org, row);
  },

  afterDelete(ctx: RuleContext, row: Row) {
    audit(
      ctx,
      'PermSetFlsChanged',
      `Changed permission set ${permissionSetLabelOf(ctx.org, row.ParentId)}: field-level security for ${String(row.Field)} was changed from ${describe(row)} to No Access`,
    );
  },
};
