import type { Client } from '@temporalio/client';
import type { OnrampConfig } from '../config';
import { describeSecretStore } from '../secrets/describe';
import { parseSecretRef } from '../secrets/store';
import type { RegistryChange, RegistryState } from '../shared/registry';
import type { HandoverRecord } from '../shared/types';
import { registeredState, registryRecord } from './registry';

/** An integration's credential by reference, as `onramp credentials` and the API show it: never a value. */
export interface CredentialsView {
  integration: string;
  state: RegistryState;
  app: { kind: string; apiName: string; consumerKey: string };
  /** onramp's own secret store. */
  store: string;
  secrets: Array<{ kind: string; ref: string; version: number }>;
  certificate?: { fingerprint: string; expiresAt: string };
  /** The registry change that put the current credential in place: the onboarding or the last rotation. */
  since?: Pick<RegistryChange, 'revision' | 'kind' | 'at' | 'by' | 'note'>;
  /** Where the external system reads it; absent when the spec names no handover path. */
  handover?: HandoverRecord;
  /** The spec's handover path when nothing was recorded there (an onboarding from before handover). */
  handoverPlanned?: { store: string; path: string };
}

/** Read from the registry (no worker needed); undefined when onramp does not manage the integration. */
export async function credentialsView(
  client: Client,
  secrets: OnrampConfig['secrets'],
  integration: string,
): Promise<CredentialsView | undefined> {
  if ((await registeredState(client, integration)) === undefined) return undefined;
  const record = await registryRecord(client, integration);
  const { provisioned } = record.desired;
  const { credentials, app, handover } = provisioned;
  const refs = [credentials.privateKeyRef, credentials.consumerSecretRef].filter((r): r is string => Boolean(r));
  const since = [...record.changes]
    .reverse()
    .find((c) => c.kind === 'registered' || (c.kind === 'amended' && /^rotated/.test(c.note ?? '')));
  const planned = record.desired.integration.spec.handover;
  return {
    integration,
    state: record.state,
    app: { kind: app.kind, apiName: app.apiName, consumerKey: app.consumerKey },
    store: describeSecretStore(secrets),
    secrets: refs.map((ref) => {
      const { kind, version } = parseSecretRef(ref);
      return { kind, ref, version };
    }),
    ...(credentials.certificateFingerprint && credentials.certificateExpiresAt
      ? {
          certificate: { fingerprint: credentials.certificateFingerprint, expiresAt: credentials.certificateExpiresAt },
        }
      : {}),
    ...(since
      ? { since: { revision: since.revision, kind: since.kind, at: since.at, by: since.by, note: since.note } }
      : {}),
    ...(handover ? { handover } : planned ? { handoverPlanned: { store: planned.store, path: planned.path } } : {}),
  };
}

/** The view as lines for a terminal. */
export function renderCredentials(view: CredentialsView): string {
  const lines = [
    `Credentials of ${view.integration} (${view.state}); references only, never values`,
    '',
    `App:           ${view.app.kind} ${view.app.apiName}, consumer key ${view.app.consumerKey}`,
    `Secret store:  ${view.store}`,
    ...view.secrets.map((s) => `  ${s.kind.padEnd(16)} ${s.ref}`),
    ...(view.certificate
      ? [`Certificate:   SHA-256 ${view.certificate.fingerprint}, expires ${view.certificate.expiresAt}`]
      : []),
    ...(view.since
      ? [
          `In place since ${view.since.at} (${view.since.kind}, registry revision ${view.since.revision}, by ${view.since.by})`,
        ]
      : []),
    '',
  ];
  if (view.handover) {
    const h = view.handover;
    lines.push(
      `Handed over:   ${h.where}`,
      `  version      ${h.version}`,
      `  written at   ${h.writtenAt}`,
      `  by run       ${h.run}`,
    );
  } else if (view.handoverPlanned) {
    lines.push(
      `Handed over:   not yet: the spec names ${view.handoverPlanned.store}:${view.handoverPlanned.path}, written at the next rotation`,
    );
  } else lines.push('Handed over:   nowhere: the spec names no handover path');
  return lines.join('\n');
}
