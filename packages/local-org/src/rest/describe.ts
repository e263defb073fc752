import { childRelationships as childRelationshipsOf } from '../schema/child-relationships';
import type { LocalOrg } from '../org';
import type { FieldDef, FieldType, SObjectDef } from '../schema';
import type { Access } from '../security/permissions';

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  url: 'xsd:string',
  phone: 'xsd:string',
  picklist: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

/** Fields the org maintains on every record; never nillable, always defaulted. */
const AUDIT_FIELDS = new Set([
  'createddate',
  'createdbyid',
  'lastmodifieddate',
  'lastmodifiedbyid',
  'systemmodstamp',
  'isdeleted',
]);
const TEXT_TYPES = new Set<FieldType>(['string', 'textarea', 'email', 'url', 'phone', 'picklist']);

export function sobjectUrls(base: string, def: SObjectDef): Record<string, string> {
  return {
    sobject: `${base}/sobjects/${def.name}`,
    describe: `${base}/sobjects/${def.name}/describe`,
    rowTemplate: `${base}/sobjects/${def.name}/{ID}`,
  };
}

/** The object-level entry of describeGlobal and of `GET /sobjects/{T}`, with flags as the user sees them. */
export function describeGlobalEntry(base: string, def: SObjectDef, access: Access): Record<string, unknown> {
  const perms = access.object(def);
  return {
    activateable: false,
    createable: def.createable && perms.create,
    custom: def.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: def.deletable && perms.delete,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: def.keyPrefix,
    label: def.label,
    labelPlural: def.labelPlural,
    layoutable: !def.setup,
    mergeable: false,
    mruEnabled: !def.setup,
    name: def.name,
    queryable: def.queryable,
    replicateable: true,
    retrieveable: true,
    searchable: !def.setup,
    triggerable: !def.setup,
    undeletable: false,
    updateable: def.updateable && perms.edit,
    urls: sobjectUrls(base, def),
  };
}

export function isIdLookup(field: FieldDef): boolean {
  return field.type === 'id' || field.unique === true || field.type === 'email';
}

function describeField(def: SObjectDef, field: FieldDef, access: Access): Record<string, unknown> {
  const lower = field.name.toLowerCase();
  const audit = AUDIT_FIELDS.has(lower);
  const text = TEXT_TYPES.has(field.type);
  const length = text ? (field.length ?? 255) : field.type === 'id' || field.type === 'reference' ? 18 : 0;
  const nillable = !(field.required || field.type === 'boolean' || field.type === 'id' || audit || lower === 'ownerid');
  const defaultedOnCreate =
    field.defaultValue !== undefined || field.type === 'boolean' || field.type === 'id' || audit || lower === 'ownerid';
  const numeric = field.type === 'double' || field.type === 'currency';
  return {
    aggregatable: field.type !== 'textarea',
    aiPredictionField: false,
    autoNumber: false,
    byteLength: text ? length * 3 : length,
    calculated: false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: null,
    controllerName: null,
    createable: field.createable && def.createable && access.canEditField(def, field),
    custom: field.name.endsWith('__c'),
    defaultValue: field.type === 'boolean' ? (field.defaultValue ?? false) : (field.defaultValue ?? null),
    defaultValueFormula: null,
    defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: field.type === 'int' ? 9 : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: false,
    extraTypeInfo: field.type === 'textarea' && (field.length ?? 0) > 255 ? 'plaintextarea' : null,
    filterable: field.type !== 'textarea' || (field.length ?? 0) <= 255,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: !numeric && field.type !== 'textarea' && field.type !== 'datetime',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: isIdLookup(field),
    inlineHelpText: null,
    label: field.label,
    length,
    mask: null,
    maskType: null,
    name: field.name,
    nameField: lower === 'name',
    namePointing: (field.referenceTo?.length ?? 0) > 1,
    nillable,
    permissionable: field.permissionable,
    picklistValues: (field.picklistValues ?? []).map((value) => ({
      active: true,
      defaultValue: value === field.defaultValue,
      label: value,
      validFor: null,
      value,
    })),
    polymorphicForeignKey: (field.referenceTo?.length ?? 0) > 1,
    precision: numeric ? 18 : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.relationshipName ?? null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: field.type === 'picklist' && !field.openPicklist,
    scale: field.type === 'currency' ? 2 : 0,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[field.type],
    sortable: field.type !== 'textarea' || (field.length ?? 0) <= 255,
    type: field.type,
    unique: field.unique === true,
    updateable: field.updateable && def.updateable && access.canEditField(def, field),
    writeRequiresMasterRead: false,
  };
}

/** Every object with page layouts describes the Master record type, with its fixed id, even without record types. */
function masterRecordType(base: string, def: SObjectDef): Record<string, unknown> {
  const id = '012000000000000AAA';
  return {
    active: true,
    available: true,
    defaultRecordTypeMapping: true,
    developerName: 'Master',
    master: true,
    name: 'Master',
    recordTypeId: id,
    urls: { layout: `${base}/sobjects/${def.name}/describe/layouts/${id}` },
  };
}

/** `GET /sobjects/{T}/describe`: only the fields the user may read, writability per field-level security. */
export function describeSObject(org: LocalOrg, base: string, def: SObjectDef, access: Access): Record<string, unknown> {
  const childRelationships: Record<string, unknown>[] = [];
  for (const { child, field, relationshipName } of childRelationshipsOf(org.schema.all(), def)) {
    if (!access.canRead(child) || !access.canReadField(child, field)) continue;
    childRelationships.push({
      cascadeDelete: false,
      childSObject: child.name,
      deprecatedAndHidden: false,
      field: field.name,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName,
      restrictedDelete: false,
    });
  }
  const fields = [...def.fields.values()]
    .filter((f) => access.canReadField(def, f))
    .map((f) => describeField(def, f, access));
  return {
    ...describeGlobalEntry(base, def, access),
    actionOverrides: [],
    childRelationships,
    compactLayoutable: !def.setup,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields,
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: def.setup && def.name !== 'User' ? [] : [masterRecordType(base, def)],
    searchLayoutable: !def.setup,
    sobjectDescribeOption: 'FULL',
    supportedScopes: def.fields.has('ownerid')
      ? [
          { label: 'All', name: 'everything' },
          { label: 'My', name: 'mine' },
        ]
      : [{ label: 'All', name: 'everything' }],
  };
}
