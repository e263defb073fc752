/**
 * pino loggers that cannot leak secrets. Three layers, because one is never enough:
 * 1. pino `redact` for the well-known secret keys at the top level and one level down (fast path);
 * 2. a `formatters.log` pass that censors the same keys at any depth and scrubs free-text strings;
 * 3. `scrubSecrets` on messages and error messages/stacks, for secrets embedded in text (a PEM pasted
 *    into an exception, a bearer token in an HTTP error body, a Salesforce session id).
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are always secret, whatever object they appear in. Names are compared without case,
 * `_` or `-` (`consumer_secret`, `consumerSecret` and `ConsumerSecret` are one key), and any name that
 * ends in one of the words of SECRET_SUFFIXES is secret too (`apiKey`, `DeleteToken`, `webhookSecret`).
 */
export const SECRET_KEYS = [
  'privateKey',
  'privateKeyPem',
  'consumerSecret',
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'assertion',
  'password',
  'authorization',
  'sessionId',
  'secret',
  'token',
  'apiKey',
  'DeleteToken',
] as const;

const SECRET_SUFFIXES = [
  'secret',
  'token',
  'password',
  'apikey',
  'signingkey',
  'privatekey',
  'privatekeypem',
  'assertion',
  'sessionid',
];
const EXACT_SECRET_NAMES = new Set(['authorization', 'cookie', 'codeverifier', 'signature']);

const normalizeKey = (key: string) => key.toLowerCase().replace(/[_-]/g, '');

/** Whether a value under this key (object key, form parameter, JSON or XML element name) is a secret. */
export function isSecretKey(key: string): boolean {
  const k = normalizeKey(key);
  return EXACT_SECRET_NAMES.has(k) || SECRET_SUFFIXES.some((suffix) => k.endsWith(suffix));
}

/** pino redact paths: every secret key at the top level and one level down, plus HTTP header shapes. */
export const REDACT_PATHS: string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];

const censorIfSecret = (name: string, whole: string, censored: string) => (isSecretKey(name) ? censored : whole);

const TEXT_RULES: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // PEM private keys of any flavour (RSA, EC, ENCRYPTED, PKCS#8); a truncated one is cut to the end.
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g, '[REDACTED PRIVATE KEY]'],
  // Salesforce session ids / access tokens: org id (00D + 12–15 chars), '!', token body.
  [/\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+/g, '[REDACTED SESSION ID]'],
  // Compact JWTs (assertions, id tokens).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[REDACTED JWT]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/!]+=*/gi, (_m, scheme) => `${scheme} ${REDACTED}`],
  // Form bodies, query strings and key=value text: client_secret=..., consumerSecret=...
  [/\b([A-Za-z][\w.-]*)=[^&\s"'<>,;]+/g, (m, key) => censorIfSecret(key, m, `${key}=${REDACTED}`)],
  // JSON text: "consumer_secret":"...", "privateKey": "..."
  [/"([A-Za-z][\w.-]*)"\s*:\s*"(?:[^"\\]|\\.)*"/g, (m, key) => censorIfSecret(key, m, `"${key}":"${REDACTED}"`)],
  // XML (Metadata API SOAP and deploy packages): <consumerSecret>...</consumerSecret>, with or without a prefix.
  [
    /<((?:[\w-]+:)?([\w-]+))(\s[^>]*)?>[^<]*<\/\1>/g,
    (m, tag, local, attrs) => censorIfSecret(local, m, `<${tag}${attrs ?? ''}>${REDACTED}</${tag}>`),
  ],
];

/** Replaces secrets found in free text (error messages that may reach workflow failures or logs). */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_RULES) {
    out = out.replace(pattern, replacement as (substring: string, ...args: string[]) => string);
  }
  return out;
}

const MAX_DEPTH = 8;

/**
 * Copy-on-write deep censoring: returns the same object when nothing needed changing, so logging plain
 * objects costs a walk but no allocation.
 */
export function redactDeep(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    let changed = false;
    const next = value.map((v) => {
      const r = redactDeep(v, depth + 1, seen);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? next : value;
  }
  if (value instanceof Error) return serializeError(value);
  // Buffers, dates, maps...: leave to pino's own serialization.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const r = isSecretKey(k) && v !== undefined && v !== null ? REDACTED : redactDeep(v, depth + 1, seen);
    if (r !== v) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[k] = r;
    }
  }
  return copy ?? value;
}

/**
 * pino runs `formatters.log` (which already serializes errors through redactDeep) before the `err`
 * serializer, so this must also accept an error that is already a plain object.
 */
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return redactDeep(err, 1);
  const base = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  return redactDeep({ ...base }, 1);
}

export interface CreateLoggerOptions {
  name: string;
  /** Default: ONRAMP_LOG_LEVEL or `info`. */
  level?: string;
  /**
   * Human-readable output via pino-pretty. Default: when stdout is a TTY, unless ONRAMP_LOG_FORMAT=json
   * (ONRAMP_LOG_FORMAT=pretty forces it). Ignored when `destination` is given: streams get JSON.
   */
  pretty?: boolean;
  /** Write JSON lines here instead of stdout (tests, files). */
  destination?: DestinationStream;
  /** Extra fields on every line. */
  base?: Record<string, unknown>;
  /** Environment to read ONRAMP_LOG_* from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export function wantsPretty(
  options: Pick<CreateLoggerOptions, 'pretty' | 'env'>,
  isTTY = process.stdout.isTTY === true,
): boolean {
  if (options.pretty !== undefined) return options.pretty;
  const format = (options.env ?? process.env).ONRAMP_LOG_FORMAT?.toLowerCase();
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return isTTY;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const env = options.env ?? process.env;
  const pinoOptions: LoggerOptions = {
    name: options.name,
    level: options.level ?? env.ONRAMP_LOG_LEVEL ?? 'info',
    base: { ...(options.base ?? {}) },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { err: serializeError, error: serializeError } as Record<string, (value: unknown) => unknown>,
    formatters: {
      log: (obj) => redactDeep(obj) as Record<string, unknown>,
    },
    hooks: {
      // Messages and interpolation arguments are free text: scrub them before pino formats the line.
      logMethod(args, method) {
        const cleaned: unknown[] = args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a));
        // Without an explicit message pino copies err.message into msg, outside formatters.log's reach.
        const first = cleaned[0];
        const err = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
        if (err instanceof Error && typeof cleaned[1] !== 'string') cleaned.splice(1, 0, scrubSecrets(err.message));
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
  };
  if (options.destination) return pino(pinoOptions, options.destination);
  if (wantsPretty({ pretty: options.pretty, env })) {
    return pino({
      ...pinoOptions,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:standard', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(pinoOptions);
}
