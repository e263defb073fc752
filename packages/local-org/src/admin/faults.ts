/**
 * Fault injection for the Salesforce surfaces of the local org: latency, 500, 503, REQUEST_LIMIT_EXCEEDED,
 * dropped connections and responses lost after the request was carried out, per route or for every
 * request, optionally only for the first N matches or with a probability drawn from a seeded generator so
 * that a failing chaos run can be replayed.
 */

export const FAULT_KINDS = [
  'latency',
  'server-error',
  'unavailable',
  'request-limit',
  'drop',
  'response-lost',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How each kind that has styles may answer; the first is the default. */
const STYLES: Partial<Record<FaultKind, readonly string[]>> = {
  unavailable: ['maintenance', 'busy'],
  'response-lost': ['drop', 'server-error'],
};

export interface FaultRuleInput {
  /**
   * latency: delay only; server-error: HTTP 500 UNKNOWN_EXCEPTION; unavailable: HTTP 503; request-limit:
   * REQUEST_LIMIT_EXCEEDED; drop: the connection is destroyed without a response, before the request is
   * handled; response-lost: the request is handled and its writes stay, then the response is lost (the
   * connection destroyed, or a 500 sent in its place): what a client sees when a network or a proxy fails
   * between the org committing and the answer arriving.
   */
  kind: FaultKind;
  /** HTTP method to match (any when absent). */
  method?: string;
  /** URL path prefix to match, e.g. `/services/data` or `/services/oauth2/token`. */
  path?: string;
  /** Regular expression (source) tested against the URL path. */
  pattern?: string;
  /** SOAP operation to match, e.g. `createMetadata`, `checkDeployStatus`. */
  operation?: string;
  /**
   * Regular expression (source) tested against the request body: the raw text for SOAP and forms, the
   * JSON text for REST, e.g. `sobjects/PermissionSet"` to pick one composite request among others.
   */
  bodyPattern?: string;
  /** Chance in [0, 1] that a matching request is hit; 1 when absent. */
  probability?: number;
  /** Hit at most this many requests, then stay in the list inert. */
  times?: number;
  /**
   * Fixed delay before the fault (or before the request proceeds, for kind latency). For response-lost,
   * how long the handled response is held before it is lost.
   */
  latencyMs?: number;
  /** Random delay between min and max instead of latencyMs. */
  latencyMinMs?: number;
  latencyMaxMs?: number;
  /**
   * unavailable: Salesforce's HTML maintenance page (default) or an API SERVER_UNAVAILABLE error.
   * response-lost: the connection destroyed (`drop`, default) or a 500 UNKNOWN_EXCEPTION instead of the result.
   */
  style?: 'maintenance' | 'busy' | 'drop' | 'server-error';
  description?: string;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  /** Requests this rule hit so far. */
  hits: number;
}

export interface FaultRequest {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** SOAP operation, known only once the body is parsed. */
  operation?: string;
  /** The body as text, known only once it is parsed. */
  body?: string;
}

/**
 * What to do to one request: wait `delayMs`, then apply `rule` if it is not a latency rule. A
 * response-lost rule lets the request be handled, holds the response `holdMs`, then loses it.
 */
export interface FaultDecision {
  delayMs: number;
  rule?: FaultRule;
  holdMs: number;
}

export class FaultRuleError extends Error {}

const ALLOWED_KEYS = new Set([
  'kind',
  'method',
  'path',
  'pattern',
  'operation',
  'bodyPattern',
  'probability',
  'times',
  'latencyMs',
  'latencyMinMs',
  'latencyMaxMs',
  'style',
  'description',
  'id',
]);

type CompiledRule = FaultRule & { regex?: RegExp; bodyRegex?: RegExp };

/** Rules that can only be tried once the body is parsed. */
const late = (rule: FaultRuleInput) => rule.operation !== undefined || rule.bodyPattern !== undefined;

export class Faults {
  private rules: CompiledRule[] = [];
  private nextId = 1;
  private random: () => number;
  private seedValue: number;

  constructor(seed = 1) {
    this.seedValue = seed;
    this.random = mulberry32(seed);
  }

  get seed(): number {
    return this.seedValue;
  }

  /** Restarts the random sequence: the same seed and the same requests give the same faults. */
  reseed(seed: number): void {
    if (!Number.isInteger(seed)) throw new FaultRuleError('seed must be an integer');
    this.seedValue = seed;
    this.random = mulberry32(seed);
  }

  list(): FaultRule[] {
    return this.rules.map(({ regex: _regex, bodyRegex: _bodyRegex, ...rule }) => ({ ...rule }));
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  add(input: FaultRuleInput): FaultRule {
    const rule = validate(input, `f${this.nextId}`);
    this.nextId += 1;
    this.rules.push(rule);
    const { regex: _regex, bodyRegex: _bodyRegex, ...out } = rule;
    return out;
  }

  /** Replaces every rule (all validated before any is installed). */
  set(inputs: FaultRuleInput[], seed?: number): FaultRule[] {
    if (!Array.isArray(inputs)) throw new FaultRuleError('rules must be an array');
    const rules = inputs.map((input, i) => validate(input, `f${this.nextId + i}`));
    this.nextId += inputs.length;
    this.rules = rules;
    if (seed !== undefined) this.reseed(seed);
    return this.list();
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /** Whether some rule waits for the parsed body (a SOAP operation or a body pattern). */
  get anyLate(): boolean {
    return this.rules.some(late);
  }

  /**
   * The fault for one request. Rules are tried in order: every matching latency adds up, the first
   * matching non-latency rule ends the search. Rules naming a SOAP operation or a body pattern are only
   * tried once the body is parsed (`afterBody`), the others only before it (so no rule fires twice).
   */
  decide(request: FaultRequest, afterBody: boolean): FaultDecision | undefined {
    if (this.rules.length === 0) return undefined;
    let delayMs = 0;
    let holdMs = 0;
    let hit: FaultRule | undefined;
    for (const rule of this.rules) {
      if (late(rule) !== afterBody) continue;
      if (!matches(rule, request)) continue;
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (rule.probability !== undefined && rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.hits += 1;
      if (rule.kind === 'response-lost') holdMs = this.delayOf(rule);
      else delayMs += this.delayOf(rule);
      if (rule.kind !== 'latency') {
        hit = rule;
        break;
      }
    }
    if (!hit && delayMs === 0) return undefined;
    return { delayMs, rule: hit, holdMs };
  }

  /** A pseudo-random integer from the seeded sequence, for error ids that replay with the seed. */
  nextInt(max: number): number {
    return Math.floor(this.random() * max);
  }

  private delayOf(rule: FaultRule): number {
    if (rule.latencyMinMs !== undefined && rule.latencyMaxMs !== undefined) {
      return rule.latencyMinMs + Math.floor(this.random() * (rule.latencyMaxMs - rule.latencyMinMs + 1));
    }
    return rule.latencyMs ?? 0;
  }
}

function matches(rule: CompiledRule, request: FaultRequest): boolean {
  if (rule.method && rule.method !== request.method.toUpperCase()) return false;
  if (rule.path && !request.path.startsWith(rule.path)) return false;
  if (rule.regex && !rule.regex.test(request.path)) return false;
  if (rule.operation !== undefined && rule.operation.toLowerCase() !== (request.operation ?? '').toLowerCase())
    return false;
  if (rule.bodyRegex && !rule.bodyRegex.test(request.body ?? '')) return false;
  return true;
}

function validate(input: FaultRuleInput, id: string): CompiledRule {
  if (!input || typeof input !== 'object') throw new FaultRuleError('a fault rule must be an object');
  for (const key of Object.keys(input))
    if (!ALLOWED_KEYS.has(key)) throw new FaultRuleError(`unknown fault rule field "${key}"`);
  if (!FAULT_KINDS.includes(input.kind)) throw new FaultRuleError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  const text = (name: keyof FaultRuleInput) => {
    const v = input[name];
    if (v !== undefined && typeof v !== 'string') throw new FaultRuleError(`${name} must be a string`);
  };
  const count = (name: keyof FaultRuleInput, min: number) => {
    const v = input[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min))
      throw new FaultRuleError(`${name} must be a number >= ${min}`);
  };
  for (const name of ['method', 'path', 'pattern', 'operation', 'bodyPattern', 'description'] as const) text(name);
  for (const name of ['latencyMs', 'latencyMinMs', 'latencyMaxMs'] as const) count(name, 0);
  count('times', 0);
  count('probability', 0);
  if (input.probability !== undefined && input.probability > 1)
    throw new FaultRuleError('probability must be between 0 and 1');
  if ((input.latencyMinMs === undefined) !== (input.latencyMaxMs === undefined)) {
    throw new FaultRuleError('latencyMinMs and latencyMaxMs go together');
  }
  if (input.latencyMinMs !== undefined && input.latencyMaxMs! < input.latencyMinMs)
    throw new FaultRuleError('latencyMaxMs must be >= latencyMinMs');
  if (input.kind === 'latency' && input.latencyMs === undefined && input.latencyMinMs === undefined) {
    throw new FaultRuleError('a latency rule needs latencyMs or latencyMinMs/latencyMaxMs');
  }
  if (input.style !== undefined) {
    const styles = STYLES[input.kind];
    if (!styles) throw new FaultRuleError(`a ${input.kind} rule has no style`);
    if (!styles.includes(input.style))
      throw new FaultRuleError(`style of a ${input.kind} rule must be ${styles.join(' or ')}`);
  }
  const regex = compile('pattern', input.pattern);
  const bodyRegex = compile('bodyPattern', input.bodyPattern);
  const { id: _ignored, ...rest } = input as FaultRuleInput & { id?: string };
  return { ...rest, ...(input.method ? { method: input.method.toUpperCase() } : {}), id, hits: 0, regex, bodyRegex };
}

function compile(name: string, source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (error) {
    throw new FaultRuleError(`${name} is not a valid regular expression: ${(error as Error).message}`);
  }
}

/** Small, fast, seedable PRNG (Mulberry32): reproducible fault sequences without a dependency. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
