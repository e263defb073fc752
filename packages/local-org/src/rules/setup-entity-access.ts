import type { Row } from '../store/database';
import { sameId } from '../store/ids';
import { audit, duplicateComposite } from './support';
import type { ObjectRules, RuleContext } from './types';

function auditAction(ctx: RuleContext, row: Row, change: 'Enabled' | 'Disabled'): void {
  const { org } = ctx;
  const parent = org.db.get('PermissionSet', row.ParentId as string);
  const ownerKind = parent?.IsOwnedByProfile === true ? 'Profile' : 'PermissionSet';
  const ownerName = ownerKind === 'Profile' ? org.db.get('Profile', parent?.ProfileId as string)?.Name : parent?.Label;
  const entity = org.db.get(String(row.SetupEntityType), row.SetupEntityId as string);
  const kind = ownerKind === 'Profile' ? 'profile' : 'permission set';
  audit(
    ctx,
    `SetupEntityAccessAudit_${ownerKind}_${String(row.SetupEntityType)}_${change}`,
    `Changed ${kind} ${String(ownerName ?? row.ParentId)}: ${String(entity?.Name ?? row.SetupEntityId)} ${row.SetupEntityType === 'ApexClass' ? 'Apex class' : 'connected app'} access was ${change.toLowerCase()}`,
  );
}

export const setupEntityAccessRules: ObjectRules = {
  beforeInsert({ org }: RuleContext, row: Row) {
    if (typeof row.SetupEntityId !== 'string') return;
    // The reference check already limited the id to an Apex class or a connected app.
    row.SetupEntityType = org.schema.forId(row.SetupEntityId)?.name ?? null;
    if (
      org.db.find(
        'SetupEntityAccess',
        (s) => sameId(s.ParentId, row.ParentId) && sameId(s.SetupEntityId, row.SetupEntityId),
      )
    ) {
      throw duplicateComposite();
    }
  },
  afterInsert(ctx: RuleContext, row: Row) {
    auditAction(ctx, row, 'Enabled');
  },
  afterDelete(ctx: RuleContext, row: Row) {
    auditAction(ctx, row, 'Disabled');
  },
};
