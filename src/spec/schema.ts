/**
 * The integration spec (`apiVersion: onramp/v1`, `kind: Integration`): one YAML file per external system.
 *
 * Design choices worth knowing before editing:
 * - Every object is strict: an unknown key is an error, because a typo such as `scope:` for `scopes:` would
 *   otherwise silently grant the default instead of what the author meant.
 * - Object grants accept two input forms; the CANONICAL written form is the compact one,
 *   `{ name: Account, rights: [read, edit] }` (examples, docs and the JSON Schema use it). The boolean form
 *   `{ name: Account, read: true, edit: true }` mirrors ObjectPermissions and is accepted too. Both parse
 *   into the same output shape, ObjectGrant, with all six booleans spelled out, which is what activities
 *   write to ObjectPermissions.
 * - Right dependencies are errors rather than silently added rights: the approver must see exactly what
 *   will be granted, and Salesforce would add the implied rights anyway.
 * - Rules that need no org but are about policy rather than shape (unsupported objects, risks, ...) live
 *   in static-checks.ts; the org-dependent checks live elsewhere.
 *
 * No Node imports: this module is safe to import from workflow code.
 */
import { z } from 'zod';
import { REVIEW_EVERY_DEFAULT } from '../audit/owner-register';
import { DURATION_PATTERN, parseDuration } from './duration';
import { INTEGRATION_NAME_MAX, INTEGRATION_NAME_MIN, INTEGRATION_NAME_PATTERN } from './names';
import { identityKey } from '../shared/identity';
import {
  APP_KINDS,
  APPROVAL_TIMEOUT_DEFAULT,
  approvalImpossible,
  CERTIFICATE_VALIDITY_DEFAULT_DAYS,
  CERTIFICATE_VALIDITY_MAX_DAYS,
  CERTIFICATE_VALIDITY_MIN_DAYS,
  FIELD_ACCESS,
  FULL_SCOPE_JUSTIFICATION_MIN,
  HANDOVER_STORES,
  IP_POLICIES,
  ipv4ToNumber,
  OAUTH_FLOWS,
  OAUTH_SCOPES,
  OBJECT_RIGHT_DEPENDENCIES,
  OBJECT_RIGHTS,
  SESSION_TIMEOUT_MINUTES,
  SPEC_API_VERSION,
  SPEC_KIND,
  USERNAME_PASSWORD_REFUSAL,
  type ObjectGrant,
  type ObjectRight,
} from './vocabulary';

export * from './vocabulary';

const APPROVAL_TIMEOUT_MAX_MS = 90 * 86_400_000;

// --- field-level building blocks -------------------------------------------------------------------

const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const HANDLE_PATTERN = /^@?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/;
/**
 * Salesforce API names: optional namespace (`ns__`), a body without `__` or trailing `_`, optional
 * suffix (`__c`, `__e`, `__mdt`, ...). Whether the object exists is an org check, not ours.
 */
const API_NAME_BODY = '[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*';
const OBJECT_NAME_PATTERN = new RegExp(`^(?:${API_NAME_BODY}__)?${API_NAME_BODY}(?:__[A-Za-z]+)?$`);
const FIELD_NAME_PATTERN = new RegExp(
  `^(?:${API_NAME_BODY}__)?${API_NAME_BODY}(?:__[A-Za-z]+)?\\.(?:${API_NAME_BODY}__)?${API_NAME_BODY}(?:__[A-Za-z]+)?$`,
);
const APEX_CLASS_PATTERN = new RegExp(`^${API_NAME_BODY}$`);
const IPV4_PATTERN = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const email = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .max(254, { error: `${what} must be at most 254 characters` })
    .regex(EMAIL_PATTERN, { error: `${what} must be an email address` });

const identity = z
  .string({ error: 'must be a string (an email address or a handle)' })
  .refine((s) => EMAIL_PATTERN.test(s) || HANDLE_PATTERN.test(s), {
    error: 'must be an email address or a handle such as "jdoe" or "@jdoe"',
  });

/**
 * Zod skips object-level refinements once any field has an issue; these cross-field rules should still
 * run so that one pass reports everything. The refinements below therefore read their input defensively.
 */
const whenObject = { when: (payload: { value: unknown }) => isRecord(payload.value) };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringsOf(value: unknown): Array<string | undefined> {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : undefined)) : [];
}

const IntegrationNameSchema = z
  .string({ error: 'must be a string' })
  .min(INTEGRATION_NAME_MIN, { error: `must be at least ${INTEGRATION_NAME_MIN} characters` })
  .max(INTEGRATION_NAME_MAX, { error: `must be at most ${INTEGRATION_NAME_MAX} characters` })
  .regex(INTEGRATION_NAME_PATTERN, {
    error: 'must use lower-case letters, digits and single hyphens, start with a letter and not end with a hyphen',
  })
  .meta({ description: 'Slug of the external system (e.g. billing); drives the username and every API name.' });

const ScopeSchema = z.enum(OAUTH_SCOPES, {
  error: (iss) =>
    `unknown OAuth scope ${JSON.stringify(iss.input)}; use a wire name such as api, refresh_token, id, openid (allowed: ${OAUTH_SCOPES.join(', ')})`,
});

const FlowSchema = z
  .enum(OAUTH_FLOWS, {
    error: (iss) =>
      iss.input === 'username-password'
        ? USERNAME_PASSWORD_REFUSAL
        : `unknown flow ${JSON.stringify(iss.input)}; use jwt-bearer or client-credentials`,
  })
  .meta({ description: 'jwt-bearer (certificate) or client-credentials (run-as user). username-password is refused.' });

const CallbackUrlSchema = z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
  const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
  if (value.includes('*')) return fail('wildcards are not allowed; list each exact https URL');
  if (value.includes('#')) return fail('must not contain a fragment (#...)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`"${value}" is not an absolute URL`);
  }
  if (url.protocol === 'http:') {
    return fail(
      url.hostname === 'localhost' || url.hostname === '127.0.0.1'
        ? 'http://localhost is refused: jwt-bearer and client-credentials are server-to-server and never redirect a browser; use https'
        : 'must use https',
    );
  }
  if (url.protocol !== 'https:') return fail('must use https');
  if (url.username || url.password) return fail('must not contain credentials');
});

const IpRangeSchema = z
  .strictObject({
    start: z
      .string({ error: 'must be a string' })
      .regex(IPV4_PATTERN, { error: 'must be an IPv4 address such as 203.0.113.10' }),
    end: z
      .string({ error: 'must be a string' })
      .regex(IPV4_PATTERN, { error: 'must be an IPv4 address such as 203.0.113.20' }),
    description: z.string().max(255).optional(),
  })
  .superRefine((range, ctx) => {
    // An invalid address already has its own issue; comparing it would only add noise.
    if (!IPV4_PATTERN.test(range.start) || !IPV4_PATTERN.test(range.end)) return;
    if (ipv4ToNumber(range.start) > ipv4ToNumber(range.end)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `must not be lower than start (${range.start})` });
    }
  });

// --- object grants ---------------------------------------------------------------------------------

const ObjectGrantInputSchema = z
  .strictObject({
    name: z
      .string({ error: 'must be a string' })
      .max(100, { error: 'must be at most 100 characters' })
      .regex(OBJECT_NAME_PATTERN, { error: 'must be an object API name such as Account or Invoice__c' }),
    rights: z
      .array(z.enum(OBJECT_RIGHTS, { error: `must be one of ${OBJECT_RIGHTS.join(', ')}` }))
      .optional()
      .meta({ description: 'Canonical form: the rights granted on the object.' }),
    read: z.boolean().optional(),
    create: z.boolean().optional(),
    edit: z.boolean().optional(),
    delete: z.boolean().optional(),
    viewAll: z.boolean().optional(),
    modifyAll: z.boolean().optional(),
  })
  .superRefine((grant, ctx) => {
    if (grant.rights !== undefined && !Array.isArray(grant.rights)) return;
    const booleanKeys = OBJECT_RIGHTS.filter((r) => grant[r] !== undefined);
    if (grant.rights !== undefined && booleanKeys.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [booleanKeys[0]!],
        message: 'use either `rights: [...]` or the boolean keys (read, edit, ...), not both',
      });
      return;
    }
    const granted = new Set<ObjectRight>(grant.rights ?? OBJECT_RIGHTS.filter((r) => grant[r] === true));
    granted.forEach((r) => {
      if (!(OBJECT_RIGHTS as readonly string[]).includes(r)) granted.delete(r);
    });
    if (grant.rights !== undefined) {
      const seen = new Set<string>();
      grant.rights.forEach((r, i) => {
        if (seen.has(r)) ctx.addIssue({ code: 'custom', path: ['rights', i], message: `duplicate right "${r}"` });
        seen.add(r);
      });
    }
    if (granted.size === 0) {
      ctx.addIssue({
        code: 'custom',
        path: grant.rights !== undefined ? ['rights'] : [],
        message: 'grants no rights; remove the entry or list rights such as [read]',
      });
      return;
    }
    for (const right of OBJECT_RIGHTS) {
      if (!granted.has(right)) continue;
      const missing = OBJECT_RIGHT_DEPENDENCIES[right].filter((d) => !granted.has(d));
      if (missing.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: grant.rights !== undefined ? ['rights'] : [right],
          message: `${right} requires ${missing.join(', ')} (Salesforce enforces these dependencies); add ${missing.join(', ')} or drop ${right}`,
        });
      }
    }
  }, whenObject)
  .transform((grant): ObjectGrant => {
    const granted = new Set<ObjectRight>(grant.rights ?? OBJECT_RIGHTS.filter((r) => grant[r] === true));
    return {
      name: grant.name,
      read: granted.has('read'),
      create: granted.has('create'),
      edit: granted.has('edit'),
      delete: granted.has('delete'),
      viewAll: granted.has('viewAll'),
      modifyAll: granted.has('modifyAll'),
    };
  })
  .meta({
    description:
      'Object permission. Canonical form: { name: Account, rights: [read, edit] }. Also accepted: { name: Account, read: true, edit: true }.',
  });

const FieldGrantSchema = z.strictObject({
  name: z
    .string({ error: 'must be a string' })
    .max(200, { error: 'must be at most 200 characters' })
    .regex(FIELD_NAME_PATTERN, { error: 'must be Object.Field, e.g. Opportunity.StageName or Invoice__c.Amount__c' }),
  access: z.enum(FIELD_ACCESS, { error: 'must be read or edit' }),
});

// --- sections --------------------------------------------------------------------------------------

/**
 * Folders of letters, digits and `._-`, no `..`: a path every store accepts (AWS secret names also allow
 * `+=@`, which Vault's paths and file names do not need). The store-specific rules (configured, outside
 * onramp's own secrets) need the configuration and are checked against it (secrets/handover-checks.ts).
 */
const HANDOVER_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

const HandoverSchema = z
  .strictObject({
    store: z.enum(HANDOVER_STORES, { error: 'must be aws, vault or file' }).meta({
      description: 'The secrets manager the external system reads from (one onramp is configured for).',
    }),
    path: z
      .string({ error: 'must be a string' })
      .max(256, { error: 'must be at most 256 characters' })
      .regex(HANDOVER_PATH, {
        error: "must be folders of letters, digits, '.', '_' and '-' separated by '/', without '..' or a leading '/'",
      })
      .meta({ description: 'The secret name (aws), KV path in the configured mount (vault) or file (file).' }),
  })
  .meta({
    description:
      'Where onramp hands the credential over: one JSON secret with the consumer key and the private key or consumer secret, written at onboarding and rotation, removed at offboarding. Owned by the external team; onramp never overwrites a secret it did not write.',
  });

const AppSchema = z
  .strictObject({
    kind: z
      .enum(APP_KINDS, { error: 'must be external-client-app or connected-app' })
      .default('external-client-app')
      .meta({
        description:
          "external-client-app (default). connected-app is legacy: new Connected Apps are blocked by default since Spring '26.",
      }),
    flow: FlowSchema,
    scopes: z
      .array(ScopeSchema)
      .min(1, { error: 'must list at least one scope (usually api)' })
      .default(['api'])
      .meta({ description: 'OAuth scope wire names; keep to the minimum (default [api]).' }),
    fullScopeJustification: z
      .string({ error: 'must be a string' })
      .optional()
      .meta({ description: `Required when scopes include full; at least ${FULL_SCOPE_JUSTIFICATION_MIN} characters.` }),
    callbackUrls: z
      .array(CallbackUrlSchema)
      .default([])
      .meta({ description: 'Exact https URLs; not used by server-to-server flows, a placeholder is used when empty.' }),
    ipPolicy: z
      .enum(IP_POLICIES, { error: `must be one of ${IP_POLICIES.join(', ')}` })
      .default('enforce')
      .meta({ description: 'IP relaxation: enforce (default), relax, relax-with-2fa, enforce-relax-refresh.' }),
    trustedIpRanges: z
      .array(IpRangeSchema)
      .default([])
      .meta({
        description:
          'IPv4 ranges ({start, end}, start ≤ end) spared identity checks in interactive flows; they do not restrict ' +
          'where jwt-bearer or client-credentials logins come from (profile login IP ranges do, docs/validation.md).',
      }),
    certificateValidityDays: z
      .int({ error: 'must be a whole number of days' })
      .min(CERTIFICATE_VALIDITY_MIN_DAYS, { error: `must be at least ${CERTIFICATE_VALIDITY_MIN_DAYS}` })
      .max(CERTIFICATE_VALIDITY_MAX_DAYS, { error: `must be at most ${CERTIFICATE_VALIDITY_MAX_DAYS}` })
      .optional()
      .meta({ description: `jwt-bearer only; default ${CERTIFICATE_VALIDITY_DEFAULT_DAYS}.` }),
    sessionTimeoutMinutes: z
      .literal([...SESSION_TIMEOUT_MINUTES], { error: `must be one of ${SESSION_TIMEOUT_MINUTES.join(', ')}` })
      .optional()
      .meta({ description: 'Session timeout for tokens issued through the app.' }),
  })
  .superRefine((app, ctx) => {
    const scopes = stringsOf(app.scopes);
    if (scopes.includes('full')) {
      const why = typeof app.fullScopeJustification === 'string' ? app.fullScopeJustification.trim() : '';
      if (why.length < FULL_SCOPE_JUSTIFICATION_MIN) {
        ctx.addIssue({
          code: 'custom',
          path: ['fullScopeJustification'],
          message: `the full scope needs a justification of at least ${FULL_SCOPE_JUSTIFICATION_MIN} characters`,
        });
      }
    }
    const seenScopes = new Set<string>();
    scopes.forEach((s, i) => {
      if (s === undefined) return;
      if (seenScopes.has(s)) ctx.addIssue({ code: 'custom', path: ['scopes', i], message: `duplicate scope "${s}"` });
      seenScopes.add(s);
    });
    const seenUrls = new Set<string>();
    stringsOf(app.callbackUrls).forEach((u, i) => {
      if (u === undefined) return;
      if (seenUrls.has(u))
        ctx.addIssue({ code: 'custom', path: ['callbackUrls', i], message: 'duplicate callback URL' });
      seenUrls.add(u);
    });
    if (app.flow === 'client-credentials' && app.certificateValidityDays !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['certificateValidityDays'],
        message: 'only applies to jwt-bearer; client-credentials uses no certificate',
      });
    }
  }, whenObject)
  .transform((app) => ({
    ...app,
    certificateValidityDays:
      app.flow === 'jwt-bearer' ? (app.certificateValidityDays ?? CERTIFICATE_VALIDITY_DEFAULT_DAYS) : null,
  }));

const AccessSchema = z.strictObject({
  objects: z
    .array(ObjectGrantInputSchema)
    .default([])
    .meta({ description: 'Object permissions for the permission set.' }),
  fields: z
    .array(FieldGrantSchema)
    .default([])
    .meta({ description: "Field-level security; the field's object must also be granted read." }),
  apexClasses: z
    .array(
      z
        .string({ error: 'must be a string' })
        .max(40, { error: 'must be at most 40 characters' })
        .regex(APEX_CLASS_PATTERN, { error: 'must be an Apex class name such as BillingSync' }),
    )
    .default([])
    .meta({ description: 'Apex classes the integration may call (REST resources, web services).' }),
});

/** A duration string (`72h`, `13w`) whose value `within` accepts; each way it can be wrong has its message. */
const boundedDuration = (notString: string, malformed: string, within: (ms: number) => boolean, outside: string) =>
  z
    .string({ error: notString })
    .regex(DURATION_PATTERN, { error: malformed })
    .refine(
      (d) => {
        const ms = parseDuration(d);
        // A malformed value is reported by the regex above; do not report it twice.
        return ms === undefined ? !DURATION_PATTERN.test(d) : within(ms);
      },
      { error: outside },
    );

const PURPOSE_MIN = 10;
const REVIEW_EVERY_MAX_MS = 366 * 86_400_000;

/** The owner register's review date: a cadence, and optionally the first date (else onboarding + cadence). */
const ReviewSchema = z.strictObject({
  every: boundedDuration(
    'must be a duration string such as 90d or 13w',
    'must be a duration such as 30d, 13w or 90d',
    (ms) => ms >= 86_400_000 && ms <= REVIEW_EVERY_MAX_MS,
    'must be at least 1d and at most 366d',
  )
    .default(REVIEW_EVERY_DEFAULT)
    .meta({
      description: `How often the owner reviews the integration (default ${REVIEW_EVERY_DEFAULT}, at most 366d).`,
    }),
  next: z.iso
    .date({ error: 'must be a date such as 2027-03-31' })
    .optional()
    .meta({ description: 'The first review date (YYYY-MM-DD); later ones follow the cadence.' }),
});

const UserOverridesSchema = z.strictObject({
  username: email('username').max(80, { error: 'username must be at most 80 characters' }).optional(),
  email: email('email').optional(),
  firstName: z.string().trim().min(1).max(40, { error: 'must be at most 40 characters' }).optional(),
  lastName: z.string().trim().min(1).max(80, { error: 'must be at most 80 characters' }).optional(),
});

const ADOPTED_API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const adoptedApiName = z
  .string({ error: 'must be a string' })
  .max(80, { error: 'must be at most 80 characters' })
  .regex(ADOPTED_API_NAME, { error: 'must be a Salesforce API name (letters, digits, underscores)' });
const adoptedLabel = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(80, { error: 'must be at most 80 characters' });

/** Written by `onramp adopt`: the names a hand-made integration's objects have, which onramp keeps. */
const AdoptedSchema = z
  .strictObject({
    permissionSet: adoptedApiName.meta({ description: 'PermissionSet.Name of the adopted permission set.' }),
    permissionSetLabel: adoptedLabel.meta({ description: 'Its label.' }),
    app: adoptedApiName.meta({ description: 'The adopted Connected App or External Client App (API name).' }),
    appLabel: adoptedLabel.meta({ description: 'Its label.' }),
  })
  .meta({
    description:
      'An integration made by hand and adopted by onramp (`onramp adopt` writes this): its permission set and app keep their names and labels.',
  });

export const IntegrationSpecSchema = z
  .strictObject({
    apiVersion: z.literal(SPEC_API_VERSION, { error: `must be ${SPEC_API_VERSION}` }),
    kind: z.literal(SPEC_KIND, { error: `must be ${SPEC_KIND}` }),
    name: IntegrationNameSchema,
    displayName: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(80, { error: 'must be at most 80 characters' })
      .meta({ description: 'Human name of the external system, used in labels.' }),
    owner: email('owner').meta({
      description:
        'Email of the person or group that owns the integration, as the identity provider knows it; receives Salesforce notifications and review requests.',
    }),
    purpose: z
      .string({ error: 'must say what the integration is for' })
      .trim()
      .min(PURPOSE_MIN, { error: `must say in at least ${PURPOSE_MIN} characters what the integration is for` })
      .max(500, { error: 'must be at most 500 characters' })
      .meta({ description: 'What the external system does with this access: the owner register and reviews show it.' }),
    review: ReviewSchema.prefault({}).meta({
      description: `When the owner next reviews the integration (default: every ${REVIEW_EVERY_DEFAULT}, from onboarding).`,
    }),
    requestedBy: identity.meta({ description: 'Who asked for the integration (email or handle).' }),
    approvers: z
      .array(identity)
      .min(1, { error: 'must list at least one approver' })
      .meta({ description: 'Identities (emails or handles) allowed to approve the plan.' }),
    approvalsRequired: z
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be at least 1' })
      .default(1)
      .meta({
        description: 'Distinct approvals needed (≤ number of approvers other than the requester), default 1.',
      }),
    approvalTimeout: boundedDuration(
      'must be a duration string such as 72h or 7d',
      'must be a duration such as 90m, 72h, 7d or 2w',
      (ms) => ms > 0 && ms <= APPROVAL_TIMEOUT_MAX_MS,
      'must be more than 0 and at most 90d',
    )
      .default(APPROVAL_TIMEOUT_DEFAULT)
      .meta({ description: 'How long to wait for approval, e.g. 72h or 7d (default 7d, at most 90d).' }),
    orgs: z
      .array(
        z.string({ error: 'must be an org name' }).regex(/^[a-z][a-z0-9-]{0,29}$/, {
          error: "must be an org name from onramp's configuration, e.g. uat",
        }),
      )
      .min(1, { error: 'must name at least one org' })
      .optional()
      .meta({
        description:
          "The configured orgs (onramp's `orgs:`) the integration is for, e.g. [uat, production]; absent: the default org.",
      }),
    app: AppSchema,
    access: AccessSchema,
    runbookNotes: z
      .string({ error: 'must be a (markdown) string' })
      .max(20_000)
      .optional()
      .meta({ description: 'Markdown notes for whoever operates the integration.' }),
    handover: HandoverSchema.optional(),
    adopted: AdoptedSchema.optional(),
    user: UserOverridesSchema.optional().meta({
      description: 'Overrides for the derived integration user (username defaults to <name>.integration@<org suffix>).',
    }),
  })
  .superRefine((spec, ctx) => {
    const seen = new Map<string, number>();
    const approvers = stringsOf(spec.approvers);
    approvers.forEach((a, i) => {
      if (a === undefined) return;
      const key = identityKey(a);
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['approvers', i],
          message: `duplicate approver (same as approvers[${seen.get(key)}])`,
        });
      } else {
        seen.set(key, i);
      }
    });
    if (seen.size > 0 && Number.isInteger(spec.approvalsRequired) && spec.approvalsRequired > seen.size) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvalsRequired'],
        message: `is ${spec.approvalsRequired} but only ${seen.size} distinct approver(s) are listed`,
      });
    } else if (typeof spec.requestedBy === 'string' && Number.isInteger(spec.approvalsRequired)) {
      const impossible = approvalImpossible(spec.requestedBy, [...seen.keys()], spec.approvalsRequired);
      if (impossible)
        ctx.addIssue({
          code: 'custom',
          path: ['approvalsRequired'],
          message: impossible,
          params: { code: 'approval-impossible' },
        });
    }
  }, whenObject)
  .meta({
    title: 'onramp integration spec',
    description: 'One external system that needs a Salesforce integration user, permission set and OAuth app.',
  });

/** What a spec author writes (defaults optional, both object-grant forms). */
export type IntegrationSpecInput = z.input<typeof IntegrationSpecSchema>;
/** The normalised spec: defaults filled, object grants canonical. */
export type IntegrationSpec = z.output<typeof IntegrationSpecSchema>;
export type AppSpec = IntegrationSpec['app'];
export type AccessSpec = IntegrationSpec['access'];
export type FieldGrant = AccessSpec['fields'][number];
export type IpRange = AppSpec['trustedIpRanges'][number];
export type UserOverrides = NonNullable<IntegrationSpec['user']>;
export type HandoverSpec = NonNullable<IntegrationSpec['handover']>;
