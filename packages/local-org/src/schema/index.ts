import { dataObjects } from './data-objects';
import { setupObjects } from './setup-objects';
import type { FieldDef, SObjectDef } from './types';

export type { FieldDef, FieldType, SObjectDef } from './types';
export { SYSTEM_PERMISSIONS, type SystemPermission } from './setup-objects';

/** The object definitions of one org, looked up case-insensitively by name or by id key prefix. */
export class Schema {
  private readonly byName = new Map<string, SObjectDef>();
  private readonly byPrefix = new Map<string, SObjectDef>();

  constructor(objects: SObjectDef[] = [...setupObjects, ...dataObjects]) {
    for (const def of objects) {
      this.byName.set(def.name.toLowerCase(), def);
      this.byPrefix.set(def.keyPrefix, def);
    }
  }

  get(name: string): SObjectDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Like get(), for names the local org itself uses: a miss is a programming error. */
  require(name: string): SObjectDef {
    const def = this.get(name);
    if (!def) throw new Error(`unknown sObject ${name}`);
    return def;
  }

  forId(id: string): SObjectDef | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  all(): SObjectDef[] {
    return [...this.byName.values()];
  }

  /** Data objects: those whose access is granted with ObjectPermissions. */
  dataObjects(): SObjectDef[] {
    return this.all().filter((d) => !d.setup);
  }
}

export function fieldOf(def: SObjectDef, name: string): FieldDef | undefined {
  return def.fields.get(name.toLowerCase());
}
