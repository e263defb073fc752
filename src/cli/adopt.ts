import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { Finding } from '../audit/findings';
import type { AdoptionStatus, Discovery } from '../shared/adoption';
import type { ApprovalRecord } from '../shared/types';
import { runWithServer } from './api-client';
import type { CliIo } from './io';
import { CliError, EXIT, printJson } from './shared';
import { table } from './status-view';

const day = (at: string | null | undefined) => (at ? at.slice(0, 10) : 'never');

/** The discovery as two tables and, per user, what each permission set grants. */
export function renderDiscovery(found: Discovery): string {
  const out: string[] = [];
  out.push(`Integration users onramp does not manage (${found.users.length}; it manages ${found.managed.users}):`);
  if (found.users.length)
    out.push(
      ...table([
        ['USERNAME', 'PROFILE', 'LICENCE', 'PERMISSION SETS', 'APPS', 'LAST LOGIN'],
        ...found.users.map((u) => [
          u.username,
          u.profile.name,
          u.profile.userLicense ?? '-',
          u.permissionSets.map((p) => p.name).join(', ') || '-',
          u.apps.join(', ') || '-',
          day(u.lastLoginDate),
        ]),
      ]).map((l) => `  ${l}`),
    );
  for (const u of found.users)
    for (const p of u.permissionSets) {
      const grants = [
        ...p.objects.map((o) => `${o.name} ${o.rights.join('/')}`),
        ...p.fields.map((f) => `${f.name} ${f.access}`),
        ...p.apexClasses.map((c) => `Apex ${c}`),
        ...p.otherSetupAccess,
        ...p.systemPermissions,
      ];
      out.push(`  ${u.username} / ${p.name}: ${grants.join('; ') || 'nothing'}`);
    }
  out.push('');
  out.push(`Connected Apps and External Client Apps onramp does not manage (${found.apps.length}):`);
  if (found.apps.length)
    out.push(
      ...table([
        ['APP', 'KIND', 'FLOW', 'SCOPES', 'IP POLICY', 'PRE-AUTHORIZED', 'CERT EXPIRES', 'USERS', 'CALLBACK'],
        ...found.apps.map((a) => [
          a.apiName,
          a.kind,
          a.flow,
          a.scopes.join(',') || '-',
          a.ipRelaxation ?? '-',
          a.adminApproved ? a.preAuthorizedPermissionSets.join(',') || '-' : 'users self-authorize',
          a.certificate ? day(a.certificate.expiresAt) : '-',
          a.users.join(', ') || '-',
          a.callbackUrls.join(' ') || '-',
        ]),
      ]).map((l) => `  ${l}`),
    );
  out.push(
    '',
    `As of ${found.asOf}, org ${found.org.name} (${found.org.instanceUrl}). Adopt one with \`onramp adopt NAME --user USERNAME ...\`.`,
  );
  return out.join('\n');
}

/** `onramp discover`: what the org holds that onramp does not manage, through the server. */
export function discoverCommand(io: CliIo): Command {
  return new Command('discover')
    .description('integration users, Connected Apps and External Client Apps in the org that onramp does not manage')
    .option('--json', 'print the discovery as one JSON line')
    .action((options: { json?: boolean }) =>
      runWithServer(io, 'discover', async (api) => {
        const found = await api.get<Discovery>('/api/discover');
        if (options.json) printJson(io, found);
        else io.stdout(renderDiscovery(found));
        return EXIT.ok;
      }),
    );
}

interface AdoptAnswer {
  integration: string;
  specText: string;
  unexpressed: string[];
  findings: Finding[];
  planText: string;
  requirementText: string;
  started: boolean;
  workflowId?: string;
}

interface AdoptOptions {
  user?: string;
  app?: string;
  owner?: string;
  purpose?: string;
  reviewOn?: string;
  approver: string[];
  displayName?: string;
  write?: string;
  dryRun?: boolean;
}

/**
 * `onramp adopt NAME`: the spec written from what the org holds, what it cannot express, and the request
 * for sign-off (unless --dry-run); `onramp adopt approve|reject|status NAME` follow it.
 */
export function adoptCommand(io: CliIo): Command {
  const adopt = new Command('adopt')
    .description('take an integration made by hand under management: spec from the org, sign-off, no org change')
    .argument('[name]', 'the name onramp will know it by (a spec name: lower-case letters, digits, hyphens)')
    // Checked in the action, not as mandatory options: commander would demand them of `adopt approve` too.
    .option('--user <username>', 'the integration user to adopt (required)')
    .option('--app <apiName>', 'its Connected App or External Client App (needed when it can use several)')
    .option('--owner <email>', 'who answers for it: a person or group the identity provider knows (required)')
    .option('--purpose <text>', 'what the external system does with this access (required)')
    .option('--review-on <date>', 'its next access review, YYYY-MM-DD (required)')
    .option(
      '--approver <who>',
      "approvers the spec adds to the policy's (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--display-name <text>', "the external system's name (default: the app's label)")
    .option('--write <file>', 'also write the spec to this file')
    // No --json here: commander would take it from `adopt status NAME --json` (parent options parse first).
    .option('--dry-run', 'print the spec and the plan, start nothing')
    .action((name: string | undefined, options: AdoptOptions) =>
      runWithServer(io, 'adopt', async (api) => {
        if (!name) throw new CliError('name the integration: onramp adopt NAME --user USERNAME ...', EXIT.usage);
        const missing = (['user', 'owner', 'purpose', 'reviewOn'] as const).filter((o) => !options[o]?.trim());
        if (missing.length)
          throw new CliError(
            `onramp adopt needs ${missing.map((o) => `--${o === 'reviewOn' ? 'review-on' : o}`).join(', ')} (the owner register asks who answers for it, why, and when it is reviewed)`,
            EXIT.usage,
          );
        if (options.approver.length === 0)
          throw new CliError('name at least one approver with --approver (an email or a group)', EXIT.usage);
        const answer = await api.post<AdoptAnswer>('/api/adoptions', {
          name,
          username: options.user,
          owner: options.owner,
          purpose: options.purpose,
          reviewOn: options.reviewOn,
          approvers: options.approver,
          ...(options.app ? { app: options.app } : {}),
          ...(options.displayName ? { displayName: options.displayName } : {}),
          dryRun: options.dryRun === true,
        });
        if (options.write) writeFileSync(options.write, answer.specText, { mode: 0o644 });
        io.stdout(
          `# The spec of ${answer.integration}, as the org holds it${options.write ? ` (written to ${options.write})` : ''}:`,
        );
        io.stdout(answer.specText);
        io.stdout(answer.planText);
        io.stdout(
          answer.started
            ? `Adoption requested (${answer.workflowId}): ${answer.requirementText}. Approvers: \`onramp adopt approve ${answer.integration}\`.`
            : 'Dry run: nothing was requested.',
        );
        return EXIT.ok;
      }),
    );
  for (const verb of ['approve', 'reject'] as const)
    adopt.addCommand(
      new Command(verb)
        .description(`${verb} an adoption as the signed-in approver`)
        .argument('<name>')
        .option('--comment <text>', verb === 'reject' ? 'why (required)' : 'why')
        .action((name: string, options: { comment?: string }) =>
          runWithServer(io, `adopt ${verb}`, async (api) => {
            if (verb === 'reject' && !options.comment?.trim())
              throw new CliError('say why with --comment <text>', EXIT.usage);
            const record = await api.post<ApprovalRecord>(
              `/api/adoptions/${encodeURIComponent(name)}/${verb}`,
              options.comment ? { comment: options.comment } : {},
            );
            io.stdout(`${record.decision} ${name} as ${record.approver} at ${record.at}.`);
            return EXIT.ok;
          }),
        ),
    );
  adopt.addCommand(
    new Command('status')
      .description('where an adoption stands')
      .argument('<name>')
      .option('--json', 'print the status as one JSON line')
      .action((name: string, options: { json?: boolean }) =>
        runWithServer(io, 'adopt status', async (api) => {
          const status = await api.get<AdoptionStatus & { open: boolean }>(
            `/api/adoptions/${encodeURIComponent(name)}`,
          );
          if (options.json) printJson(io, status);
          else
            io.stdout(
              [
                `${name}: ${status.phase}; approvals ${status.approvals.filter((a) => a.decision === 'approved').length} of ${status.approvalsRequired}`,
                ...status.steps.map((s) => `  ${s.step}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`),
                ...(status.failure ? [`  failed: ${status.failure.reason}`] : []),
              ].join('\n'),
            );
          return EXIT.ok;
        }),
      ),
  );
  return adopt;
}
