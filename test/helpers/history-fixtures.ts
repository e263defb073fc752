// Recorded workflow histories: scripts/record-histories.ts writes them, test/temporal/replay.test.ts replays
// every one of them against the current workflow code. A fixture is never rewritten: it stands for the
// workflows that older code may still have running (docs/architecture.md, "Changing workflow code safely").

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { ENCRYPTED_ENCODING } from '../../src/codec/encryption-codec';

export const HISTORY_FIXTURES_DIR = resolve(__dirname, '..', 'fixtures', 'histories');

export interface HistoryFixture {
  /** Replay needs it: histories do not carry it, and the registry derives its integration from it. */
  workflowId: string;
  workflowType: string;
  /** The path the run took, for whoever reviews or retires the fixture. */
  description: string;
  recordedAt: string;
  /** As `temporal workflow show --output json` writes it, with every payload decoded by onramp's codec. */
  history: { events: Array<Record<string, unknown>> };
}

/** A payload still sealed by the codec, as it appears (base64) in a history export. */
export const ENCRYPTED_PAYLOAD_MARKER = Buffer.from(ENCRYPTED_ENCODING).toString('base64');

type History = proto.temporal.api.history.v1.History;

/**
 * Worker.runReplayHistory would read the JSON itself (historyFromJSON), but here @temporalio/common and
 * @temporalio/proto each get their own protobufjs (npm cannot hoist v8 over grpc's v7), and common's
 * protojson refuses the types of proto's copy ("type must be a Type"). So the JSON is read with the
 * protojson of the copy that built the History type, resolved as @temporalio/proto itself resolves it.
 */
const protojson = require(
  require.resolve('protobufjs/ext/protojson', { paths: [require.resolve('@temporalio/proto')] }),
) as {
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** The fixture's history as the replayer takes it. Unknown fields (from a newer server) are ignored, as historyFromJSON ignores them. */
export const historyOf = (fixture: Pick<HistoryFixture, 'history'>): History =>
  protojson.fromJson(historyType, fixture.history, { ignoreUnknownFields: true });

export function readHistoryFixtures(
  dir = HISTORY_FIXTURES_DIR,
): Array<{ name: string; text: string; fixture: HistoryFixture }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      return { name: file.slice(0, -'.json'.length), text, fixture: JSON.parse(text) as HistoryFixture };
    });
}

/** Writes the fixture unless one of that name exists; returns whether it wrote. */
export function writeNewHistoryFixture(name: string, fixture: HistoryFixture, dir = HISTORY_FIXTURES_DIR): boolean {
  const path = join(dir, `${name}.json`);
  if (existsSync(path)) return false;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(fixture, null, 1)}\n`, { flag: 'wx' });
  return true;
}
