import { childRelationships } from '../src/schema/child-relationships';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SfDate } from 'jsforce';
import { createSOQL } from 'jsforce/lib/soql-builder';
import { SfError } from '../src/errors';
import type { FieldDef, FieldType, SObjectDef } from '../src/schema/types';
import { executeSoql, parseSoql, type QuerySource } from '../src/soql';

/** A small in-memory org for SOQL tests: real SObjectDef shapes, rows keyed by canonical field names. */
type FieldSpec = [name: string, type: FieldType, extra?: Partial<FieldDef>];

function object(name: string, keyPrefix: string, specs: FieldSpec[], extra: Partial<SObjectDef> = {}): SObjectDef {
  const fields = new Map<string, FieldDef>();
  for (const [fname, type, more] of [['Id', 'id'] as FieldSpec, ...specs]) {
    fields.set(fname.toLowerCase(), {
      name: fname,
      type,
      label: fname,
      required: false,
      createable: type !== 'id',
      updateable: type !== 'id',
      permissionable: type !== 'id',
      ...more,
    });
  }
  return {
    name,
    label: name,
    labelPlural: `${name}s`,
    keyPrefix,
    custom: name.endsWith('__c'),
    setup: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    fields,
    ...extra,
  };
}

const ref = (to: string[], relationshipName: string): Partial<FieldDef> => ({ referenceTo: to, relationshipName });

const Profile = object('Profile', '00e', [['Name', 'string']]);
const Group = object('Group', '00G', [['Name', 'string']]);
const User = object('User', '005', [
  ['Username', 'string'],
  ['Email', 'email'],
  ['LastName', 'string'],
  ['IsActive', 'boolean'],
  ['ProfileId', 'reference', ref(['Profile'], 'Profile')],
  ['ManagerId', 'reference', ref(['User'], 'Manager')],
  ['CreatedDate', 'datetime'],
  ['LastLoginDate', 'datetime'],
  ['Secret__c', 'string'],
]);
const PermissionSet = object('PermissionSet', '0PS', [
  ['Name', 'string'],
  ['Label', 'string'],
  ['IsOwnedByProfile', 'boolean'],
  ['ProfileId', 'reference', ref(['Profile'], 'Profile')],
]);
const PermissionSetAssignment = object('PermissionSetAssignment', '0Pa', [
  ['AssigneeId', 'reference', ref(['User'], 'Assignee')],
  ['PermissionSetId', 'reference', ref(['PermissionSet'], 'PermissionSet')],
]);
const Account = object('Account', '001', [
  ['Name', 'string'],
  ['Phone', 'phone'],
  ['Industry', 'picklist'],
  ['Regions__c', 'picklist'],
  ['NumberOfEmployees', 'int'],
  ['AnnualRevenue', 'currency'],
  ['Rating__c', 'double'],
  ['FoundedDate__c', 'date'],
  ['CreatedDate', 'datetime'],
  ['ParentId', 'reference', ref(['Account'], 'Parent')],
  ['OwnerId', 'reference', ref(['User', 'Group'], 'Owner')],
  ['SecretOwnerId', 'reference', ref(['User'], 'SecretOwner')],
]);
const Secret = object('Secret__c', 'a00', [['Name', 'string']]);
const Event = object('EventLog', '0AT', [['Name', 'string']], { queryable: false });

const DEFS = [Profile, Group, User, PermissionSet, PermissionSetAssignment, Account, Secret, Event];

/** 18-character id: key prefix + zero-padded number + a fixed suffix. */
function id(def: SObjectDef, n: number): string {
  return `${def.keyPrefix}Ab${String(n).padStart(10, '0')}AAA`;
}

interface Org {
  source: QuerySource;
  tables: Map<SObjectDef, Record<string, unknown>[]>;
  insert(def: SObjectDef, row: Record<string, unknown>): Record<string, unknown>;
}

function makeOrg(options: { hiddenTypes?: string[]; hiddenFields?: string[] } = {}): Org {
  const tables = new Map<SObjectDef, Record<string, unknown>[]>(DEFS.map((d) => [d, []]));
  const byId = new Map<string, { def: SObjectDef; row: Record<string, unknown> }>();
  const hiddenTypes = new Set((options.hiddenTypes ?? []).map((t) => t.toLowerCase()));
  const hiddenFields = new Set((options.hiddenFields ?? []).map((f) => f.toLowerCase()));
  const source: QuerySource = {
    describe: (type) =>
      DEFS.find((d) => d.name.toLowerCase() === type.toLowerCase() && !hiddenTypes.has(d.name.toLowerCase())),
    canReadField: (type, field) => !hiddenFields.has(`${type.name}.${field.name}`.toLowerCase()),
    rows: (type) => tables.get(type) ?? [],
    lookup: (value) => byId.get(value.slice(0, 15)),
    children: (parent) => childRelationships(DEFS, parent).filter((r) => r.relationshipName),
    apiPath: '/services/data/v62.0',
  };
  return {
    source,
    tables,
    insert(def, row) {
      tables.get(def)!.push(row);
      byId.set(String(row['Id']).slice(0, 15), { def, row });
      return row;
    },
  };
}

// ---- data -------------------------------------------------------------------------------------------

const NOW = new Date('2024-05-15T12:00:00.000Z'); // a Wednesday
const API = '/services/data/v62.0';

function seed() {
  const org = makeOrg();
  const prof = org.insert(Profile, { Id: id(Profile, 1), Name: 'System Administrator' });
  org.insert(Profile, { Id: id(Profile, 2), Name: 'Minimum Access - API Only Integrations' });
  const boss = org.insert(User, {
    Id: id(User, 1),
    Username: 'boss@example.com',
    Email: 'boss@example.com',
    LastName: 'Boss',
    IsActive: true,
    ProfileId: prof['Id'],
    ManagerId: null,
    CreatedDate: '2024-01-01T00:00:00.000Z',
    LastLoginDate: new Date('2024-05-15T08:00:00.000Z'),
  });
  org.insert(User, {
    Id: id(User, 2),
    Username: 'Integration@Example.com',
    Email: 'int@example.com',
    LastName: "O'Brien",
    IsActive: true,
    ProfileId: id(Profile, 2),
    ManagerId: boss['Id'],
    CreatedDate: '2024-05-14T23:59:59.000Z',
    LastLoginDate: null,
  });
  org.insert(User, {
    Id: id(User, 3),
    Username: 'gone@example.com',
    Email: null,
    LastName: 'gone',
    IsActive: false,
    ProfileId: id(Profile, 2),
    ManagerId: id(User, 2),
    CreatedDate: '2023-12-31T23:59:59.000Z',
    LastLoginDate: new Date('2024-05-10T00:00:00.000Z'),
  });
  org.insert(PermissionSet, {
    Id: id(PermissionSet, 1),
    Name: 'Onramp_Integration',
    Label: 'Onramp',
    IsOwnedByProfile: false,
    ProfileId: null,
  });
  org.insert(PermissionSet, {
    Id: id(PermissionSet, 2),
    Name: 'X00ex0000001',
    Label: 'Profile PS',
    IsOwnedByProfile: true,
    ProfileId: id(Profile, 1),
  });
  org.insert(PermissionSetAssignment, {
    Id: id(PermissionSetAssignment, 1),
    AssigneeId: id(User, 2),
    PermissionSetId: id(PermissionSet, 1),
  });
  org.insert(PermissionSetAssignment, {
    Id: id(PermissionSetAssignment, 2),
    AssigneeId: id(User, 1),
    PermissionSetId: id(PermissionSet, 2),
  });
  org.insert(PermissionSetAssignment, {
    Id: id(PermissionSetAssignment, 3),
    AssigneeId: id(User, 3),
    PermissionSetId: id(PermissionSet, 1),
  });
  org.insert(Group, { Id: id(Group, 1), Name: 'Queue A' });
  org.insert(Account, {
    Id: id(Account, 1),
    Name: 'Acme',
    Phone: '555',
    Industry: 'Tech',
    Regions__c: 'EMEA;APAC',
    NumberOfEmployees: 50,
    AnnualRevenue: 1000.5,
    Rating__c: 4.5,
    FoundedDate__c: '2024-05-14',
    CreatedDate: '2024-05-15T00:00:00.000Z',
    ParentId: null,
    OwnerId: id(User, 1),
  });
  org.insert(Account, {
    Id: id(Account, 2),
    Name: 'acme subsidiary',
    Industry: null,
    Regions__c: 'AMER',
    NumberOfEmployees: 5,
    AnnualRevenue: null,
    FoundedDate__c: '2024-05-16',
    CreatedDate: '2024-05-01T12:00:00.000Z',
    ParentId: id(Account, 1),
    OwnerId: id(Group, 1),
  });
  org.insert(Account, {
    Id: id(Account, 3),
    Name: '100% Real_Name',
    Industry: 'Retail',
    Regions__c: null,
    NumberOfEmployees: null,
    FoundedDate__c: null,
    CreatedDate: '2020-01-01T00:00:00.000Z',
    ParentId: id(Account, 2),
    OwnerId: null,
  });
  return org;
}

function run(org: Org, soql: string) {
  return executeSoql(parseSoql(soql), org.source, { now: NOW });
}
function names(org: Org, soql: string, field = 'Name'): unknown[] {
  return run(org, soql).records.map((r) => r[field]);
}
function sfError(fn: () => unknown): SfError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SfError, `expected SfError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an SfError');
}
/** The error of parsing and running `soql`, as { errorCode, message }. */
function errorOf(org: Org, soql: string) {
  const e = sfError(() => run(org, soql));
  return { errorCode: e.errorCode, message: e.message };
}

// ---- results -------------------------------------------------------------------------------------------

describe('SOQL results', () => {
  const org = seed();

  it('returns records with attributes and canonical field names in SELECT order', () => {
    const res = run(org, "select username, ID, isactive from USER where lastname = 'boss'");
    assert.deepStrictEqual(res, {
      totalSize: 1,
      records: [
        {
          attributes: { type: 'User', url: `${API}/sobjects/User/${id(User, 1)}` },
          Username: 'boss@example.com',
          Id: id(User, 1),
          IsActive: true,
        },
      ],
    });
    assert.deepStrictEqual(Object.keys(res.records[0]!), ['attributes', 'Username', 'Id', 'IsActive']);
  });

  it('formats datetimes, dates, numbers and nulls as the REST API does', () => {
    const [acme] = run(
      org,
      "SELECT CreatedDate, FoundedDate__c, NumberOfEmployees, AnnualRevenue, Phone FROM Account WHERE Name = 'Acme'",
    ).records;
    assert.deepStrictEqual(acme, {
      attributes: { type: 'Account', url: `${API}/sobjects/Account/${id(Account, 1)}` },
      CreatedDate: '2024-05-15T00:00:00.000+0000',
      FoundedDate__c: '2024-05-14',
      NumberOfEmployees: 50,
      AnnualRevenue: 1000.5,
      Phone: '555',
    });
    const [u] = run(org, `SELECT LastLoginDate, Email FROM User WHERE Id = '${id(User, 1)}'`).records;
    assert.equal(u!['LastLoginDate'], '2024-05-15T08:00:00.000+0000');
    const [gone] = run(org, "SELECT Email, LastLoginDate FROM User WHERE Username = 'gone@example.com'").records;
    assert.equal(gone!['Email'], null);
    assert.ok('Email' in gone!);
  });

  it('nests one- and two-level relationship paths and merges paths through the same relationship', () => {
    const res = run(
      org,
      `SELECT Id, Assignee.Username, PermissionSet.Name, Assignee.Profile.Name, PermissionSet.Profile.Name, Assignee.IsActive FROM PermissionSetAssignment WHERE Id = '${id(PermissionSetAssignment, 2)}'`,
    );
    assert.deepStrictEqual(res.records[0], {
      attributes: {
        type: 'PermissionSetAssignment',
        url: `${API}/sobjects/PermissionSetAssignment/${id(PermissionSetAssignment, 2)}`,
      },
      Id: id(PermissionSetAssignment, 2),
      Assignee: {
        attributes: { type: 'User', url: `${API}/sobjects/User/${id(User, 1)}` },
        Username: 'boss@example.com',
        Profile: {
          attributes: { type: 'Profile', url: `${API}/sobjects/Profile/${id(Profile, 1)}` },
          Name: 'System Administrator',
        },
        IsActive: true,
      },
      PermissionSet: {
        attributes: { type: 'PermissionSet', url: `${API}/sobjects/PermissionSet/${id(PermissionSet, 2)}` },
        Name: 'X00ex0000001',
        Profile: {
          attributes: { type: 'Profile', url: `${API}/sobjects/Profile/${id(Profile, 1)}` },
          Name: 'System Administrator',
        },
      },
    });
  });

  it('gives null for a null reference, at any level', () => {
    const res = run(
      org,
      `SELECT PermissionSet.Profile.Name, Assignee.Manager.Username FROM PermissionSetAssignment WHERE Id = '${id(PermissionSetAssignment, 1)}'`,
    );
    assert.deepStrictEqual(res.records[0], {
      attributes: {
        type: 'PermissionSetAssignment',
        url: `${API}/sobjects/PermissionSetAssignment/${id(PermissionSetAssignment, 1)}`,
      },
      PermissionSet: {
        attributes: { type: 'PermissionSet', url: `${API}/sobjects/PermissionSet/${id(PermissionSet, 1)}` },
        Profile: null,
      },
      Assignee: {
        attributes: { type: 'User', url: `${API}/sobjects/User/${id(User, 2)}` },
        Manager: {
          attributes: { type: 'User', url: `${API}/sobjects/User/${id(User, 1)}` },
          Username: 'boss@example.com',
        },
      },
    });
    const top = run(org, "SELECT Name, Parent.Name FROM Account WHERE Name = 'Acme'").records[0]!;
    assert.strictEqual(top['Parent'], null);
  });

  it('resolves polymorphic references by id', () => {
    const res = run(org, 'SELECT Name, Owner.Name, Owner.Username FROM Account ORDER BY Name');
    assert.deepStrictEqual(
      res.records.map((r) => r['Owner']),
      [
        null,
        {
          attributes: { type: 'User', url: `${API}/sobjects/User/${id(User, 1)}` },
          Name: null,
          Username: 'boss@example.com',
        },
        {
          attributes: { type: 'Group', url: `${API}/sobjects/Group/${id(Group, 1)}` },
          Name: 'Queue A',
          Username: null,
        },
      ],
    );
  });

  it('accepts the object name as a qualifier', () => {
    assert.deepStrictEqual(names(org, "SELECT Account.Name FROM Account WHERE Account.Name = 'acme'"), ['Acme']);
  });

  it('COUNT() answers only totalSize, honouring WHERE, LIMIT and OFFSET', () => {
    assert.deepStrictEqual(run(org, 'SELECT COUNT() FROM User'), { totalSize: 3, records: [] });
    assert.deepStrictEqual(run(org, 'select count() from User where IsActive = true'), { totalSize: 2, records: [] });
    assert.deepStrictEqual(run(org, 'SELECT COUNT() FROM User LIMIT 1'), { totalSize: 1, records: [] });
    assert.deepStrictEqual(run(org, 'SELECT COUNT() FROM User LIMIT 5 OFFSET 2'), { totalSize: 1, records: [] });
  });

  it('COUNT(field) gives one AggregateResult row, counting non-null values', () => {
    assert.deepStrictEqual(run(org, 'SELECT COUNT(Id) FROM User'), {
      totalSize: 1,
      records: [{ attributes: { type: 'AggregateResult' }, expr0: 3 }],
    });
    assert.deepStrictEqual(run(org, 'SELECT COUNT(Email) n, COUNT(LastLoginDate) FROM User').records, [
      { attributes: { type: 'AggregateResult' }, n: 2, expr0: 2 },
    ]);
  });
});

// ---- WHERE ---------------------------------------------------------------------------------------------

describe('SOQL WHERE', () => {
  const org = seed();
  const q = (where: string, from = 'Account', field = 'Name') =>
    names(org, `SELECT ${field} FROM ${from} WHERE ${where} ORDER BY ${field}`, field);

  it('compares strings case-insensitively', () => {
    assert.deepStrictEqual(q("Name = 'ACME'"), ['Acme']);
    assert.deepStrictEqual(q("Name != 'acme'"), ['100% Real_Name', 'acme subsidiary']);
    assert.deepStrictEqual(q("Name <> 'acme'"), ['100% Real_Name', 'acme subsidiary']);
    assert.deepStrictEqual(q("Name > 'ACME'"), ['acme subsidiary']);
    assert.deepStrictEqual(q("Name < 'acme'"), ['100% Real_Name']);
    assert.deepStrictEqual(q("Name >= 'acme'"), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q("Name <= 'acme'"), ['100% Real_Name', 'Acme']);
  });

  it('compares numbers, currency and doubles', () => {
    assert.deepStrictEqual(q('NumberOfEmployees > 5'), ['Acme']);
    assert.deepStrictEqual(q('NumberOfEmployees >= 5'), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q('NumberOfEmployees < 50'), ['acme subsidiary']);
    assert.deepStrictEqual(q('NumberOfEmployees <= 50'), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q('AnnualRevenue = 1000.5'), ['Acme']);
    assert.deepStrictEqual(q('Rating__c > 4'), ['Acme']);
    assert.deepStrictEqual(q('NumberOfEmployees != 5'), ['100% Real_Name', 'Acme']);
  });

  it('applies SOQL null semantics', () => {
    assert.deepStrictEqual(q('Industry = null'), ['acme subsidiary']);
    assert.deepStrictEqual(q('Industry != null'), ['100% Real_Name', 'Acme']);
    assert.deepStrictEqual(q("Industry != 'Tech'"), ['100% Real_Name', 'acme subsidiary']);
    assert.deepStrictEqual(q('NumberOfEmployees < 1000'), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q('Parent.Name = null'), ['Acme']);
    assert.deepStrictEqual(q("Parent.Name = 'Acme'"), ['acme subsidiary']);
    assert.deepStrictEqual(q('Email = NULL', 'User', 'Username'), ['gone@example.com']);
  });

  it('filters booleans, case-insensitive keywords', () => {
    assert.deepStrictEqual(q('IsActive = TRUE', 'User', 'Username'), ['boss@example.com', 'Integration@Example.com']);
    assert.deepStrictEqual(q('isactive = false', 'User', 'Username'), ['gone@example.com']);
    assert.deepStrictEqual(q('IsActive != true', 'User', 'Username'), ['gone@example.com']);
  });

  it('combines AND, OR, NOT and parentheses', () => {
    assert.deepStrictEqual(q("Industry = 'Tech' OR Industry = 'Retail'"), ['100% Real_Name', 'Acme']);
    assert.deepStrictEqual(q("Industry != null AND NumberOfEmployees > 10 AND Name LIKE 'A%'"), ['Acme']);
    assert.deepStrictEqual(q("(Industry = 'Tech' OR Industry = null) AND NumberOfEmployees < 10"), ['acme subsidiary']);
    assert.deepStrictEqual(q("NOT Industry = 'Tech'"), ['100% Real_Name', 'acme subsidiary']);
    assert.deepStrictEqual(q("NOT (Industry = 'Tech' OR Industry = 'Retail')"), ['acme subsidiary']);
    assert.deepStrictEqual(q("Name LIKE 'a%' AND (NOT Name LIKE '%sub%')"), ['Acme']);
  });

  it('matches LIKE with % and _ case-insensitively, and \\% \\_ literally', () => {
    assert.deepStrictEqual(q("Name LIKE 'acme%'"), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q("Name LIKE 'ACM_'"), ['Acme']);
    assert.deepStrictEqual(q("Name LIKE '%sub%'"), ['acme subsidiary']);
    assert.deepStrictEqual(q("Name LIKE '100%'"), ['100% Real_Name']);
    assert.deepStrictEqual(q("Name LIKE '100\\%%'"), ['100% Real_Name']);
    assert.deepStrictEqual(q("Name LIKE '100\\%'"), []);
    assert.deepStrictEqual(q("Name LIKE '%real\\_name'"), ['100% Real_Name']);
    assert.deepStrictEqual(q("Name LIKE '%real\\_nam'"), []);
    assert.deepStrictEqual(q("Name LIKE 'a.m%'"), [], 'regex metacharacters are literal');
    assert.deepStrictEqual(q("Industry LIKE 'T%'"), ['Acme'], 'null never matches');
    assert.deepStrictEqual(q("LastName LIKE 'O\\'B%'", 'User', 'LastName'), ["O'Brien"]);
  });

  it('matches IN and NOT IN case-insensitively, including null', () => {
    assert.deepStrictEqual(q("Name IN ('ACME', 'nothing')"), ['Acme']);
    assert.deepStrictEqual(q("Name NOT IN ('ACME', 'nothing')"), ['100% Real_Name', 'acme subsidiary']);
    assert.deepStrictEqual(
      q("Industry IN ('tech', null)"),
      ['acme subsidiary', 'Acme'].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    );
    assert.deepStrictEqual(q("Industry NOT IN ('Tech')"), ['100% Real_Name', 'acme subsidiary']);
    assert.deepStrictEqual(q('NumberOfEmployees IN (5, 50)'), ['Acme', 'acme subsidiary']);
  });

  it('evaluates INCLUDES and EXCLUDES on semicolon-separated values', () => {
    assert.deepStrictEqual(q("Regions__c INCLUDES ('emea')"), ['Acme']);
    assert.deepStrictEqual(q("Regions__c INCLUDES ('AMER', 'APAC')"), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q("Regions__c INCLUDES ('EMEA;APAC')"), ['Acme']);
    assert.deepStrictEqual(q("Regions__c INCLUDES ('EMEA;AMER')"), []);
    assert.deepStrictEqual(q("Regions__c EXCLUDES ('EMEA')"), ['100% Real_Name', 'acme subsidiary']);
  });

  it('compares ids by their case-sensitive 15-character prefix', () => {
    const id18 = id(User, 2);
    const id15 = id18.slice(0, 15);
    assert.deepStrictEqual(q(`Id = '${id15}'`, 'User', 'Username'), ['Integration@Example.com']);
    assert.deepStrictEqual(q(`Id = '${id18}'`, 'User', 'Username'), ['Integration@Example.com']);
    assert.deepStrictEqual(q(`Id = '${id15.toLowerCase()}'`, 'User', 'Username'), []);
    assert.deepStrictEqual(q(`ManagerId IN ('${id(User, 1).slice(0, 15)}')`, 'User', 'Username'), [
      'Integration@Example.com',
    ]);
    assert.deepStrictEqual(q(`Id != '${id15}'`, 'User', 'Username'), ['boss@example.com', 'gone@example.com']);
  });

  it('compares dates and datetimes with literals', () => {
    assert.deepStrictEqual(q('CreatedDate > 2024-05-01T12:00:00Z'), ['Acme']);
    assert.deepStrictEqual(q('CreatedDate >= 2024-05-01T12:00:00.000+0000'), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q('CreatedDate = 2024-05-01T14:00:00+02:00'), ['acme subsidiary']);
    assert.deepStrictEqual(q('CreatedDate < 2024-01-01T00:00:00Z'), ['100% Real_Name']);
    assert.deepStrictEqual(q('FoundedDate__c = 2024-05-14'), ['Acme']);
    assert.deepStrictEqual(q('FoundedDate__c > 2024-05-14'), ['acme subsidiary']);
  });

  it('evaluates relative date literals against the injected clock', () => {
    // NOW is 2024-05-15T12:00Z.
    assert.deepStrictEqual(q('CreatedDate = TODAY'), ['Acme']);
    assert.deepStrictEqual(q('CreatedDate < TODAY'), ['100% Real_Name', 'acme subsidiary']);
    assert.deepStrictEqual(q('CreatedDate = YESTERDAY', 'User', 'Username'), ['Integration@Example.com']);
    assert.deepStrictEqual(q('FoundedDate__c = YESTERDAY'), ['Acme']);
    assert.deepStrictEqual(q('FoundedDate__c = TOMORROW'), ['acme subsidiary']);
    assert.deepStrictEqual(q('FoundedDate__c > TODAY'), ['acme subsidiary']);
    assert.deepStrictEqual(q('CreatedDate = LAST_N_DAYS:14'), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q('CreatedDate = LAST_N_DAYS:13'), ['Acme']);
    assert.deepStrictEqual(q('FoundedDate__c = NEXT_N_DAYS:1'), ['acme subsidiary']);
    assert.deepStrictEqual(q('FoundedDate__c = NEXT_N_DAYS:0'), []);
    assert.deepStrictEqual(q('LastLoginDate < LAST_N_DAYS:3', 'User', 'Username'), ['gone@example.com']);
    assert.deepStrictEqual(q('CreatedDate = THIS_MONTH'), ['Acme', 'acme subsidiary']);
    assert.deepStrictEqual(q('CreatedDate = THIS_WEEK'), ['Acme']); // week of Sun 2024-05-12
  });

  it('runs semi-joins and anti-joins', () => {
    assert.deepStrictEqual(
      q(
        "Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'onramp_integration')",
        'User',
        'Username',
      ),
      ['gone@example.com', 'Integration@Example.com'],
    );
    assert.deepStrictEqual(
      q(
        'IsActive = true AND Id NOT IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false)',
        'User',
        'Username',
      ),
      ['boss@example.com'],
    );
    assert.deepStrictEqual(q('Id IN (SELECT ProfileId FROM PermissionSet)', 'Profile', 'Name'), [
      'System Administrator',
    ]);
  });

  it('runs a semi-join over 2,000 users and 10,000 assignments without quadratic work', () => {
    const big = makeOrg();
    big.insert(PermissionSet, { Id: id(PermissionSet, 1), Name: 'A', IsOwnedByProfile: false });
    big.insert(PermissionSet, { Id: id(PermissionSet, 2), Name: 'B', IsOwnedByProfile: false });
    for (let u = 1; u <= 2000; u++)
      big.insert(User, { Id: id(User, u), Username: `u${u}@x.com`, IsActive: u % 2 === 0 });
    for (let a = 1; a <= 10000; a++) {
      big.insert(PermissionSetAssignment, {
        Id: id(PermissionSetAssignment, a),
        AssigneeId: id(User, ((a * 7) % 2000) + 1),
        PermissionSetId: id(PermissionSet, a % 5 === 0 ? 2 : 1),
      });
    }
    const started = performance.now();
    const res = run(
      big,
      "SELECT Id, Username FROM User WHERE IsActive = true AND Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'B')",
    );
    const elapsed = performance.now() - started;
    const expected = new Set<string>();
    for (let a = 5; a <= 10000; a += 5) {
      const u = ((a * 7) % 2000) + 1;
      if (u % 2 === 0) expected.add(`u${u}@x.com`);
    }
    assert.equal(res.totalSize, expected.size);
    assert.deepStrictEqual(new Set(res.records.map((r) => r['Username'])), expected);
    assert.ok(elapsed < 1000, `semi-join took ${elapsed} ms`);
  });
});

// ---- ORDER BY, LIMIT, OFFSET --------------------------------------------------------------------------

describe('SOQL ORDER BY, LIMIT, OFFSET', () => {
  const org = seed();

  it('sorts ascending with nulls first by default, case-insensitively', () => {
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY Industry'), [
      'acme subsidiary',
      '100% Real_Name',
      'Acme',
    ]);
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY Name'), [
      '100% Real_Name',
      'Acme',
      'acme subsidiary',
    ]);
    assert.deepStrictEqual(names(org, 'SELECT LastName FROM User ORDER BY LastName ASC', 'LastName'), [
      'Boss',
      'gone',
      "O'Brien",
    ]);
  });

  it('sorts DESC, NULLS FIRST / NULLS LAST, several keys and relationship paths', () => {
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY NumberOfEmployees DESC'), [
      '100% Real_Name',
      'Acme',
      'acme subsidiary',
    ]);
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY NumberOfEmployees DESC NULLS LAST'), [
      'Acme',
      'acme subsidiary',
      '100% Real_Name',
    ]);
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY Industry ASC NULLS LAST'), [
      '100% Real_Name',
      'Acme',
      'acme subsidiary',
    ]);
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY Parent.Name NULLS LAST, Name DESC'), [
      'acme subsidiary',
      '100% Real_Name',
      'Acme',
    ]);
    assert.deepStrictEqual(names(org, 'SELECT Username FROM User ORDER BY IsActive, CreatedDate DESC', 'Username'), [
      'gone@example.com',
      'Integration@Example.com',
      'boss@example.com',
    ]);
    assert.deepStrictEqual(
      run(
        org,
        'SELECT Assignee.Username FROM PermissionSetAssignment ORDER BY PermissionSet.Name DESC, Assignee.Username',
      ).records.map((r) => (r['Assignee'] as Record<string, unknown>)['Username']),
      ['boss@example.com', 'gone@example.com', 'Integration@Example.com'],
    );
  });

  it('applies LIMIT and OFFSET after sorting', () => {
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY Name LIMIT 2'), ['100% Real_Name', 'Acme']);
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY Name LIMIT 1 OFFSET 1'), ['Acme']);
    assert.deepStrictEqual(names(org, 'SELECT Name FROM Account ORDER BY Name OFFSET 2'), ['acme subsidiary']);
    assert.equal(run(org, 'SELECT Name FROM Account LIMIT 0').totalSize, 0);
  });
});

// ---- jsforce --------------------------------------------------------------------------------------------

describe('SOQL written by jsforce find()', () => {
  const org = seed();

  it('runs what jsforce soql-builder emits', () => {
    const soql = createSOQL({
      table: 'Account',
      fields: ['Id', 'Name', 'Owner.Username'],
      conditions: {
        Name: { $nlike: '%sub%' },
        Industry: ['Tech', 'Retail'],
        $or: [{ NumberOfEmployees: { $gte: 10 } }, { NumberOfEmployees: null }],
        CreatedDate: { $gte: SfDate.toDateTimeLiteral(new Date('2020-01-01T00:00:00Z')) },
        FoundedDate__c: { $exists: true },
      },
      sort: '-Name',
      limit: 10,
    });
    assert.match(soql, /\(NOT Name LIKE '%sub%'\)/);
    assert.deepStrictEqual(names(org, soql), ['Acme']);
    assert.deepStrictEqual(
      names(org, createSOQL({ table: 'User', fields: ['Username'], conditions: { IsActive: false } }), 'Username'),
      ['gone@example.com'],
    );
    assert.deepStrictEqual(
      names(
        org,
        createSOQL({
          table: 'Account',
          fields: ['Name'],
          conditions: { $not: { Industry: 'Tech' } },
          sort: { Name: 'ASC' },
          offset: 1,
        }),
      ),
      ['acme subsidiary'],
    );
    assert.deepStrictEqual(
      names(
        org,
        createSOQL({ table: 'Account', fields: ['Name'], conditions: { Regions__c: { $includes: ['APAC'] } } }),
      ),
      ['Acme'],
    );
  });
});

// ---- errors ---------------------------------------------------------------------------------------------

const TYPE_HINT =
  "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";
const FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const REL_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

describe('SOQL errors', () => {
  const org = seed();

  it('INVALID_TYPE for an unknown object, worded and placed like Salesforce', () => {
    assert.deepStrictEqual(errorOf(org, 'SELECT Id FROM Accountz LIMIT 2'), {
      errorCode: 'INVALID_TYPE',
      message: `\nSELECT Id FROM Accountz LIMIT 2\n               ^\nERROR at Row:1:Column:16\nsObject type 'Accountz' is not supported. ${TYPE_HINT}`,
    });
  });

  it('INVALID_TYPE for an object the user cannot read, exactly like an unknown one', () => {
    const hidden = makeOrg({ hiddenTypes: ['Account'] });
    assert.deepStrictEqual(errorOf(hidden, 'SELECT Id FROM Account'), {
      errorCode: 'INVALID_TYPE',
      message: `\nSELECT Id FROM Account\n               ^\nERROR at Row:1:Column:16\nsObject type 'Account' is not supported. ${TYPE_HINT}`,
    });
    // ... also inside a semi-join
    const e = errorOf(hidden, 'SELECT Id FROM User WHERE Id IN (SELECT OwnerId FROM account)');
    assert.equal(e.errorCode, 'INVALID_TYPE');
    assert.equal(
      e.message,
      `\nWHERE Id IN (SELECT OwnerId FROM account)\n${' '.repeat(33)}^\nERROR at Row:1:Column:54\nsObject type 'account' is not supported. ${TYPE_HINT}`,
    );
  });

  it('INVALID_FIELD for unknown and FLS-hidden fields, in SELECT, WHERE and ORDER BY', () => {
    assert.deepStrictEqual(errorOf(org, 'SELECT Bacon__c FROM Account LIMIT 2'), {
      errorCode: 'INVALID_FIELD',
      message: `\nSELECT Bacon__c FROM Account LIMIT 2\n       ^\nERROR at Row:1:Column:8\nNo such column 'Bacon__c' on entity 'Account'. ${FIELD_HINT}`,
    });
    const hidden = makeOrg({ hiddenFields: ['Account.Phone'] });
    assert.deepStrictEqual(errorOf(hidden, 'SELECT Id, Phone FROM Account'), {
      errorCode: 'INVALID_FIELD',
      message: `\nSELECT Id, Phone FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Phone' on entity 'Account'. ${FIELD_HINT}`,
    });
    assert.deepStrictEqual(errorOf(hidden, "SELECT Id FROM Account WHERE phone = '1'"), {
      errorCode: 'INVALID_FIELD',
      message: `\nSELECT Id FROM Account WHERE phone = '1'\n                             ^\nERROR at Row:1:Column:30\nNo such column 'phone' on entity 'Account'. ${FIELD_HINT}`,
    });
    assert.deepStrictEqual(errorOf(hidden, 'SELECT Id FROM Account ORDER BY Phone'), {
      errorCode: 'INVALID_FIELD',
      message: `\nSELECT Id FROM Account ORDER BY Phone\n                                ^\nERROR at Row:1:Column:33\nNo such column 'Phone' on entity 'Account'. ${FIELD_HINT}`,
    });
  });

  it('INVALID_FIELD names the related entity for a bad field behind a relationship', () => {
    assert.deepStrictEqual(errorOf(org, 'SELECT Assignee.Nope FROM PermissionSetAssignment'), {
      errorCode: 'INVALID_FIELD',
      message: `\nSELECT Assignee.Nope FROM PermissionSetAssignment\n       ^\nERROR at Row:1:Column:8\nNo such column 'Nope' on entity 'User'. ${FIELD_HINT}`,
    });
  });

  it("INVALID_FIELD Didn't understand relationship for unknown, non-reference and hidden relationships", () => {
    assert.deepStrictEqual(errorOf(org, 'SELECT Id, Asignee.Username FROM PermissionSetAssignment'), {
      errorCode: 'INVALID_FIELD',
      message: `\nSELECT Id, Asignee.Username FROM PermissionSetAssignment\n           ^\nERROR at Row:1:Column:12\nDidn't understand relationship 'Asignee' in field path. ${REL_HINT}`,
    });
    assert.match(
      errorOf(org, 'SELECT PermissionSet.Profil.Name FROM PermissionSetAssignment').message,
      /Didn't understand relationship 'Profil' in field path/,
    );
    assert.match(
      errorOf(org, 'SELECT Name.First FROM Account').message,
      /Didn't understand relationship 'Name' in field path/,
    );
    const hidden = makeOrg({ hiddenFields: ['PermissionSetAssignment.AssigneeId'] });
    assert.match(
      errorOf(hidden, 'SELECT Assignee.Username FROM PermissionSetAssignment').message,
      /Didn't understand relationship 'Assignee'/,
    );
    const hiddenType = makeOrg({ hiddenTypes: ['Profile'] });
    assert.match(
      errorOf(hiddenType, 'SELECT Profile.Name FROM User').message,
      /Didn't understand relationship 'Profile'/,
    );
  });

  it('MALFORMED_QUERY unexpected token, with the parser column (caret one to the left, as Salesforce draws it)', () => {
    assert.deepStrictEqual(errorOf(org, 'SELECT Id FROMM Account'), {
      errorCode: 'MALFORMED_QUERY',
      message: "\nSELECT Id FROMM Account\n         ^\nERROR at Row:1:Column:10\nunexpected token: 'FROMM'",
    });
    assert.deepStrictEqual(errorOf(org, 'SELECT Id FROM'), {
      errorCode: 'MALFORMED_QUERY',
      message: "\nSELECT Id FROM\n             ^\nERROR at Row:1:Column:14\nunexpected token: '<EOF>'",
    });
    for (const [soql, token] of [
      ['SELECT FROM Account', 'FROM'],
      ['SELECT Id, FROM Account', 'FROM'],
      ['SELECT Id FROM Account WHERE', '<EOF>'],
      ['SELECT Id FROM Account WHERE Name', '<EOF>'],
      ["SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", 'OR'],
      ["SELECT Id FROM Account WHERE Name = 'a' OR Name = 'b' AND Name = 'c'", 'AND'],
      ['SELECT Id FROM Account WHERE Name IN ()', ')'],
      ["SELECT Id FROM Account WHERE Name IN ('a'", '<EOF>'],
      ["SELECT Id FROM Account WHERE (Name = 'a'", '<EOF>'],
      ["SELECT Id FROM Account WHERE Name NOT LIKE 'a'", 'LIKE'],
      ['SELECT Id FROM Account WHERE Name = foo', 'foo'],
      ['SELECT Id FROM Account LIMIT x', 'x'],
      ['SELECT Id FROM Account LIMIT 1.5', '1.5'],
      ['SELECT Id FROM Account ORDER Name', 'Name'],
      ['SELECT Id FROM Account ORDER BY Name NULLS', '<EOF>'],
      ['SELECT Name FROM Account GROUP BY ROLLUP(Name)', '('],
      ['SELECT Id FROM Account WITH SECURITY_ENFORCED', 'WITH'],
      ['SELECT Id FROM Account FOR UPDATE', 'FOR'],
      ['SELECT COUNT(Id) FROM Account HAVING COUNT(Id) > 1', 'HAVING'],
      ['SELECT Id, COUNT() FROM Account', 'COUNT'],
      ['SELECT COUNT(), Id FROM Account', ','],
      ['SELECT Id FROM Account a', 'a'],
      ['SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS', '<EOF>'],
      ['SELECT Id FROM User WHERE Id IN (SELECT AssigneeId FROM PermissionSetAssignment ORDER BY Id)', 'ORDER'],
      ['DELETE FROM Account', 'DELETE'],
    ] as const) {
      const e = errorOf(org, soql);
      assert.equal(e.errorCode, 'MALFORMED_QUERY', soql);
      assert.ok(e.message.endsWith(`\nunexpected token: '${token}'`), `${soql} → ${e.message}`);
    }
  });

  it('reproduces real Salesforce lexer errors character for character', () => {
    // From a real response: the double-quoted id of a CampaignMember query.
    assert.deepStrictEqual(
      errorOf(org, 'SELECT FirstName, LastName FROM CampaignMember WHERE Id = "00v3D000003BjNa"'),
      {
        errorCode: 'MALFORMED_QUERY',
        message:
          '\nFROM CampaignMember WHERE Id = "00v3D000003BjNa"\n                              ^\nERROR at Row:1:Column:58\nline 1:58 no viable alternative at character \'"\'',
      },
    );
    // From a real response: an escape SOQL does not define.
    assert.deepStrictEqual(
      errorOf(org, "SELECT Id, Data_Quality_Score__c from Contact where FirstName = 'Anne\\-Marie'"),
      {
        errorCode: 'MALFORMED_QUERY',
        message:
          "\nfrom Contact where FirstName = 'Anne\\-Marie'\n                              ^\nERROR at Row:1:Column:64\nInvalid string literal 'Anne\\-Marie'. Illegal character sequence '\\-' in string literal.",
      },
    );
    assert.deepStrictEqual(errorOf(org, 'select Id from Account where id = $sfid'), {
      errorCode: 'MALFORMED_QUERY',
      message:
        "\nselect Id from Account where id = $sfid\n                                 ^\nERROR at Row:1:Column:34\nline 1:34 no viable alternative at character '$'",
    });
  });

  it('rejects string escapes outside their context and unterminated strings', () => {
    assert.match(
      errorOf(org, "SELECT Id FROM Account WHERE Name = 'a\\%'").message,
      /Invalid string literal 'a\\%'\. Illegal character sequence '\\%' in string literal\.$/,
    );
    assert.match(
      errorOf(org, "SELECT Id FROM Account WHERE Name = 'a\\u12'").message,
      /Illegal character sequence '\\u12' in string literal\.$/,
    );
    assert.deepStrictEqual(errorOf(org, "SELECT Id FROM Account WHERE Name = 'abc"), {
      errorCode: 'MALFORMED_QUERY',
      message:
        "\nFROM Account WHERE Name = 'abc\n                             ^\nERROR at Row:1:Column:40\nline 1:40 mismatched character '<EOF>' expecting '''",
    });
    assert.equal(errorOf(org, "SELECT Id FROM Account WHERE Name = 'abc\\'").errorCode, 'MALFORMED_QUERY');
  });

  it('reports Row and Column within the line of a multi-line query, and cuts long lines at token edges', () => {
    assert.deepStrictEqual(errorOf(org, "SELECT Id\nFROM Account\nWHERE Name = 'a' AND Nope__c = 1"), {
      errorCode: 'INVALID_FIELD',
      message: `\nWHERE Name = 'a' AND Nope__c = 1\n                     ^\nERROR at Row:3:Column:22\nNo such column 'Nope__c' on entity 'Account'. ${FIELD_HINT}`,
    });
    const long =
      'SELECT Id, Name, Industry, NumberOfEmployees, AnnualRevenue, CreatedDate,TPI_Product__c,Name,Phone, ParentId FROM Account';
    const e = errorOf(org, long);
    assert.equal(e.errorCode, 'INVALID_FIELD');
    assert.equal(
      e.message.split('\n').slice(0, 4).join('\n'),
      `\nNumberOfEmployees, AnnualRevenue, CreatedDate,TPI_Product__c,Name,Phone, ParentId\n${' '.repeat(46)}^\nERROR at Row:1:Column:74`,
    );
  });

  it('rejects values of the wrong type for the field', () => {
    assert.deepStrictEqual(errorOf(org, "SELECT Id FROM User WHERE IsActive = 'TRUE'"), {
      errorCode: 'INVALID_FIELD',
      message:
        "\nSELECT Id FROM User WHERE IsActive = 'TRUE'\n                          ^\nERROR at Row:1:Column:27\nvalue of filter criterion for field 'IsActive' must be of type boolean and should not be enclosed in quotes",
    });
    const sentence = (soql: string) => errorOf(org, soql).message.split('\n').pop();
    assert.equal(
      sentence('SELECT Id FROM Account WHERE Name = 5'),
      "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    );
    assert.equal(
      sentence("SELECT Id FROM Account WHERE NumberOfEmployees = '5'"),
      "value of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes",
    );
    assert.equal(
      sentence("SELECT Id FROM Account WHERE AnnualRevenue > '5'"),
      "value of filter criterion for field 'AnnualRevenue' must be of type double and should not be enclosed in quotes",
    );
    assert.equal(
      sentence("SELECT Id FROM Account WHERE CreatedDate > '2024-01-01'"),
      "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
    );
    assert.equal(
      sentence('SELECT Id FROM Account WHERE CreatedDate > 2024-01-01'),
      "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
    );
    assert.equal(
      sentence('SELECT Id FROM Account WHERE FoundedDate__c > 2024-01-01T00:00:00Z'),
      "value of filter criterion for field 'FoundedDate__c' must be of type date and should not be enclosed in quotes",
    );
    assert.equal(
      sentence('SELECT Id FROM Account WHERE Name = TODAY'),
      "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    );
    assert.deepStrictEqual(errorOf(org, "SELECT Id FROM PermissionSetAssignment WHERE Assignee.IsActive = 'x'"), {
      errorCode: 'INVALID_FIELD',
      message: `\nPermissionSetAssignment WHERE Assignee.IsActive = 'x'\n${' '.repeat(30)}^\nERROR at Row:1:Column:46\nvalue of filter criterion for field 'IsActive' must be of type boolean and should not be enclosed in quotes`,
    });
  });

  it('rejects malformed ids and LIKE on ids', () => {
    const e = errorOf(org, "SELECT Id FROM User WHERE Id = '000003VbP1AAK'");
    assert.equal(e.errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
    assert.ok(e.message.endsWith('\ninvalid ID field: 000003VbP1AAK'));
    assert.equal(
      errorOf(org, "SELECT Id FROM User WHERE ManagerId IN ('x')").errorCode,
      'INVALID_QUERY_FILTER_OPERATOR',
    );
    const like = errorOf(org, "SELECT Id FROM User WHERE Id LIKE '005%'");
    assert.equal(like.errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
    assert.ok(like.message.endsWith('\ninvalid operator on id field'));
  });

  it('rejects bind variables, duplicate fields, mixed aggregates, nested semi-joins and big offsets', () => {
    assert.deepStrictEqual(errorOf(org, 'SELECT Id FROM Account WHERE Id = :ids'), {
      errorCode: 'MALFORMED_QUERY',
      message:
        '\nSELECT Id FROM Account WHERE Id = :ids\n                                 ^\nERROR at Row:1:Column:34\nBind variables only allowed in Apex code',
    });
    assert.deepStrictEqual(errorOf(org, 'SELECT Id, Name, id FROM Account'), {
      errorCode: 'INVALID_FIELD',
      message: 'duplicate field selected: id',
    });
    assert.deepStrictEqual(errorOf(org, 'SELECT Owner.Name, owner.name FROM Account'), {
      errorCode: 'INVALID_FIELD',
      message: 'duplicate field selected: owner.name',
    });
    assert.ok(
      errorOf(org, 'SELECT Name, COUNT(Id) FROM Account').message.endsWith(
        '\nField must be grouped or aggregated: Name',
      ),
    );
    const nested = errorOf(
      org,
      'SELECT Id FROM User WHERE Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSetId IN (SELECT Id FROM PermissionSet))',
    );
    assert.equal(nested.errorCode, 'MALFORMED_QUERY');
    assert.ok(nested.message.endsWith('\nNesting of semi join sub-selects is not supported'));
    assert.deepStrictEqual(errorOf(org, 'SELECT Id FROM Account OFFSET 2001'), {
      errorCode: 'NUMBER_OUTSIDE_VALID_RANGE',
      message: 'Maximum SOQL offset allowed is 2000',
    });
    assert.equal(run(org, 'SELECT Id FROM Account OFFSET 2000').totalSize, 0);
    assert.match(
      errorOf(org, 'SELECT Id FROM Account LIMIT 2147483648').message,
      /numeric value out of range: 2147483648$/,
    );
  });

  it('checks semi-join shapes', () => {
    assert.equal(
      errorOf(org, 'SELECT Id FROM User WHERE Id IN (SELECT PermissionSetId FROM PermissionSetAssignment)').errorCode,
      'INVALID_FIELD',
    );
    assert.equal(
      errorOf(org, 'SELECT Id FROM User WHERE Id IN (SELECT AssigneeId, Id FROM PermissionSetAssignment)').errorCode,
      'MALFORMED_QUERY',
    );
    assert.equal(
      errorOf(org, 'SELECT Id FROM User WHERE Id IN (SELECT Nope FROM PermissionSetAssignment)').errorCode,
      'INVALID_FIELD',
    );
  });

  it('refuses objects that do not support query', () => {
    assert.equal(errorOf(org, 'SELECT Id FROM EventLog').errorCode, 'INVALID_TYPE_FOR_OPERATION');
  });

  it('validates fields even when there are no rows', () => {
    const empty = makeOrg();
    assert.equal(errorOf(empty, "SELECT Id FROM Account WHERE Nope = 'x'").errorCode, 'INVALID_FIELD');
    assert.equal(
      errorOf(empty, 'SELECT Id FROM User WHERE Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE Nope = 1)')
        .errorCode,
      'INVALID_FIELD',
    );
  });
});
