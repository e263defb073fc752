/**
 * What a changed spec changes for a managed integration: each grant added, changed or taken away, and each
 * app or approval setting, against the approved baseline. Pure (types and data only) so the plan, the
 * workflow and the tests share it.
 */
import type { ResolvedIntegration } from './normalize';
import type { PlanChange, PlanDetailValue, ValidationIssue } from './plan';
import { grantedRights } from './vocabulary';

const lower = (s: string) => s.toLowerCase();

/** Adds and removes of one named collection: `+ path.name: added`, `- path.name: removed`, `~` when both. */
function sets(out: PlanChange[], path: string, before: string[], after: string[]): void {
  const had = new Set(before.map(lower));
  const has = new Set(after.map(lower));
  const added = after.filter((v) => !had.has(lower(v)));
  const removed = before.filter((v) => !has.has(lower(v)));
  if (added.length) out.push({ action: 'create', path, to: added });
  if (removed.length) out.push({ action: 'delete', path, from: removed });
}

function value(out: PlanChange[], path: string, from: PlanDetailValue, to: PlanDetailValue): void {
  if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ action: 'update', path, from, to });
}

/** Every difference between the approved integration and the requested one, grants first. */
export function diffIntegrations(from: ResolvedIntegration, to: ResolvedIntegration): PlanChange[] {
  const out: PlanChange[] = [];
  const objects = new Map<string, { name: string; before: string[]; after: string[] }>();
  for (const o of from.access.objects)
    objects.set(lower(o.name), { name: o.name, before: grantedRights(o), after: [] });
  for (const o of to.access.objects) {
    const entry = objects.get(lower(o.name)) ?? { name: o.name, before: [], after: [] };
    objects.set(lower(o.name), { ...entry, name: o.name, after: grantedRights(o) });
  }
  for (const { name, before, after } of objects.values()) sets(out, `access.objects.${name}`, before, after);

  const fieldsBefore = new Map(from.access.fields.map((f) => [lower(f.name), f]));
  const fieldsAfter = new Map(to.access.fields.map((f) => [lower(f.name), f]));
  for (const f of to.access.fields) {
    const was = fieldsBefore.get(lower(f.name));
    if (!was) out.push({ action: 'create', path: `access.fields.${f.name}`, to: f.access });
    else value(out, `access.fields.${f.name}`, was.access, f.access);
  }
  for (const f of from.access.fields)
    if (!fieldsAfter.has(lower(f.name)))
      out.push({ action: 'delete', path: `access.fields.${f.name}`, from: f.access });
  sets(out, 'access.apexClasses', from.access.apexClasses, to.access.apexClasses);

  const a = from.app;
  const b = to.app;
  sets(out, 'app.scopes', a.scopes, b.scopes);
  sets(out, 'app.callbackUrls', a.callbackUrls, b.callbackUrls);
  value(out, 'app.ipPolicy', a.ipPolicy, b.ipPolicy);
  const ranges = (app: typeof a) => app.trustedIpRanges.map((r) => `${r.start}-${r.end}`);
  sets(out, 'app.trustedIpRanges', ranges(a), ranges(b));
  value(out, 'app.sessionTimeoutMinutes', a.sessionTimeoutMinutes, b.sessionTimeoutMinutes);
  value(out, 'app.certificateValidityDays', a.certificateValidityDays, b.certificateValidityDays);

  sets(out, 'approvers', from.approval.approvers, to.approval.approvers);
  value(out, 'approvalsRequired', from.approval.approvalsRequired, to.approval.approvalsRequired);
  value(out, 'approvalTimeout', from.approval.timeout, to.approval.timeout);
  return out;
}

/**
 * What a change cannot do in place, each at its spec field: the user (its name, email, profile) and the
 * app's kind and flow are what the running integration signs in with, and the hand-over is where it reads
 * its credential; changing them is a new onboarding (offboard, then onboard), or a migration.
 */
export function inPlaceRefusals(from: ResolvedIntegration, to: ResolvedIntegration): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const refuse = (path: string, what: string) =>
    issues.push({
      path,
      code: 'not-changeable-in-place',
      severity: 'error',
      source: 'static',
      message: `${what} cannot change for a running integration (it is what it signs in with); offboard and onboard it again instead`,
    });
  if (from.app.kind !== to.app.kind) refuse('app.kind', `the app kind (${from.app.kind})`);
  if (from.app.flow !== to.app.flow) refuse('app.flow', `the OAuth flow (${from.app.flow})`);
  if (from.spec.displayName !== to.spec.displayName)
    refuse('displayName', 'the display name (the user, permission set and app labels)');
  if (from.spec.owner !== to.spec.owner) refuse('owner', "the owner (the user's email and the app's contact)");
  if (JSON.stringify(from.user) !== JSON.stringify(to.user)) refuse('user', 'the integration user');
  const was = from.spec.handover;
  const is = to.spec.handover;
  if (JSON.stringify(was ?? null) !== JSON.stringify(is ?? null)) {
    const where = (h: typeof was) => (h ? `${h.store}:${h.path}` : 'none');
    // Moving the credential in place would cut the external system off until it reads from the new place;
    // adding or dropping the hand-over likewise changes what that team runs on. Neither is a grant change.
    issues.push({
      path: was && is && was.store === is.store ? 'handover.path' : 'handover',
      code: 'not-changeable-in-place',
      severity: 'error',
      source: 'static',
      message: `the credential hand-over (${where(was)}, requested ${where(is)}) cannot change in place: the running external system reads its credential there, so moving it would cut it off. Keep \`handover\` as approved in this change; to hand the credential over elsewhere, offboard and onboard the integration again`,
    });
  }
  return issues;
}
