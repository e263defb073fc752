import type { LocalOrg } from '../org';
import type { Row } from '../store/database';
import type { RunAs } from '../engine/run-as';

export interface RuleContext {
  org: LocalOrg;
  runAs: RunAs;
}

/**
 * Salesforce's own behaviour around one object: validation it performs, fields it derives, and the
 * side effects it has on other records (license counts, cascades, audit trail). Throw SfError to refuse.
 */
export interface ObjectRules {
  beforeInsert?(ctx: RuleContext, row: Row): void;
  afterInsert?(ctx: RuleContext, row: Row): void;
  beforeUpdate?(ctx: RuleContext, before: Row, after: Row): void;
  afterUpdate?(ctx: RuleContext, before: Row, after: Row): void;
  beforeDelete?(ctx: RuleContext, row: Row): void;
  afterDelete?(ctx: RuleContext, row: Row): void;
}
