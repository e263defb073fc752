import type { FieldDef, SObjectDef } from './types';

export interface ChildRelationship {
  child: SObjectDef;
  field: FieldDef;
  /** null for audit and owner lookups, which Salesforce describes without a relationship name. */
  relationshipName: string | null;
}

const UNNAMED = new Set(['createdbyid', 'lastmodifiedbyid', 'ownerid']);

/** Plural relationship name Salesforce gives a child lookup: `Contacts`, `Opportunities`, `Invoices__r`. */
function childRelationshipName(child: SObjectDef): string {
  if (child.custom) return `${child.labelPlural.replace(/[^A-Za-z0-9]/g, '_')}__r`;
  return child.labelPlural.replace(/[^A-Za-z0-9]/g, '');
}

/** The lookups of other objects that point at `parent`: describe's childRelationships and SOQL's subqueries. */
export function childRelationships(objects: SObjectDef[], parent: SObjectDef): ChildRelationship[] {
  const out: ChildRelationship[] = [];
  for (const child of objects) {
    for (const field of child.fields.values()) {
      if (field.type !== 'reference' || !field.referenceTo?.includes(parent.name)) continue;
      out.push({
        child,
        field,
        relationshipName: UNNAMED.has(field.name.toLowerCase()) ? null : childRelationshipName(child),
      });
    }
  }
  return out;
}
