// Workflow code imports this file: pure functions, no Node built-ins.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Plan } from '../spec/plan';
import type { ResolvedIntegration } from '../spec/normalize';

/**
 * JSON with object keys sorted at every level and `undefined` members left out, so the same value
 * always gives the same bytes, whichever process built it and in which key order (RFC 8785 in spirit;
 * onramp's values hold no floats whose printing could differ).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const sha256Hex = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));

/**
 * The digest approvers sign: the whole plan (steps, grants, app, risks, issues, approval settings) except
 * the seats used and free, which move whenever anyone in the org takes a licence; the licence step checks
 * capacity itself when it runs.
 */
export function planDigest(plan: Plan): string {
  const licenseUsage = plan.licenseUsage.map(({ license, type, required }) => ({ license, type, required }));
  return sha256Hex(canonicalJson({ ...plan, licenseUsage }));
}

/** The digest of what the steps carry out: the resolved integration in the workflow's input. */
export const specDigest = (integration: ResolvedIntegration): string => sha256Hex(canonicalJson(integration));

/**
 * The digest a lifecycle request (offboarding, remediation) is signed for: the workflow's whole input but
 * the signature itself, so who asked, why, the integration's approved state and the findings are all bound.
 */
export const lifecycleDigest = (input: { request?: string }): string =>
  sha256Hex(canonicalJson({ ...input, request: undefined }));
