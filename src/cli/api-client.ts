import { loadConfig } from '../config';
import type { ValidationIssue } from '../spec/plan';
import { storedCredential } from './credentials';
import type { CliIo } from './io';
import { CliError, EXIT, messageOf, reportFailure, type ExitCode } from './shared';

/** A refusal by the server, with what a command may branch on (the HTTP status and the API's error code). */
export class ServerRefusal extends CliError {
  constructor(
    message: string,
    exitCode: ExitCode,
    readonly status: number,
    readonly code: string,
    readonly issues?: ValidationIssue[],
  ) {
    super(message, exitCode);
    this.name = 'ServerRefusal';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string };
  issues?: ValidationIssue[];
}

const STATE_CONFLICTS = new Set(['not-running', 'no-runbook', 'already-running', 'already-onboarded']);

const LOOPBACK_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * The onramp server the CLI talks to: ONRAMP_SERVER, else the configuration's `server.publicUrl`, else
 * `http://server.host:server.port` (what `onramp dev` writes into .onramp/dev-config.yaml).
 */
export function serverUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONRAMP_SERVER) return env.ONRAMP_SERVER.replace(/\/+$/, '');
  const { server } = loadConfig(env);
  const host = LOOPBACK_HOSTS.has(server.host) ? '127.0.0.1' : server.host;
  return (server.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`).replace(/\/+$/, '');
}

/**
 * The onramp server's API with the caller's bearer token (ONRAMP_TOKEN, else the one `onramp login`
 * saved for this server). Every way a call can fail becomes a CliError a person can act on: the server
 * unreachable, not signed in (401: `onramp login`), a missing role (403), a refusal (409), a bad spec (422).
 */
export class OnrampApi {
  constructor(
    readonly url: string,
    private readonly token: string | undefined,
    /** Sent as `?org=` with every call: the org the command acts on (absent: the server's default org). */
    readonly org?: string,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, org?: string): OnrampApi {
    const url = serverUrl(env);
    return new OnrampApi(url, env.ONRAMP_TOKEN || storedCredential(url, env)?.token, org);
  }

  get<T>(path: string): Promise<T> {
    return this.call('GET', path).then((r) => r.json() as Promise<T>);
  }

  post<T>(path: string, body: object = {}): Promise<T> {
    return this.call('POST', path, body).then((r) => r.json() as Promise<T>);
  }

  text(path: string): Promise<string> {
    return this.call('GET', path).then((r) => r.text());
  }

  bytes(path: string): Promise<Buffer> {
    return this.call('GET', path).then(async (r) => Buffer.from(await r.arrayBuffer()));
  }

  private withOrg(path: string): string {
    if (this.org === undefined) return path;
    return `${path}${path.includes('?') ? '&' : '?'}org=${encodeURIComponent(this.org)}`;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: object): Promise<Response> {
    if (!this.token)
      throw new CliError(`not signed in to ${this.url}: run \`onramp login\` (or set ONRAMP_TOKEN)`, EXIT.usage);
    let response: Response;
    try {
      response = await fetch(`${this.url}${this.withOrg(path)}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      throw new CliError(
        `cannot reach the onramp server at ${this.url}: ${messageOf(cause ?? error)}. ` +
          'Is `onramp dev` (or `onramp server`) running, or ONRAMP_SERVER set?',
      );
    }
    if (response.ok) return response;
    throw refusal(this.url, response.status, (await response.json().catch(() => ({}))) as ErrorBody);
  }
}

function refusal(url: string, status: number, body: ErrorBody): CliError {
  const code = body.error?.code ?? `http-${status}`;
  const message = body.error?.message ?? `the server answered ${status}`;
  const field = body.error?.field ? `${body.error.field}: ` : '';
  if (status === 401)
    return new ServerRefusal(
      `${url} did not accept your token (${message}): run \`onramp login\``,
      EXIT.usage,
      status,
      code,
    );
  if (status === 403) return new ServerRefusal(`not allowed: ${message}`, EXIT.refused, status, code);
  // A decision the sign-off rules refused is exit 4; a request in the wrong state for what was asked is a failure.
  if (status === 409 && STATE_CONFLICTS.has(code)) return new ServerRefusal(message, EXIT.failure, status, code);
  if (status === 409) return new ServerRefusal(`refused: ${code}: ${message}`, EXIT.refused, status, code);
  if (status === 422) return new ServerRefusal(message, EXIT.invalidSpec, status, code, body.issues);
  if (status === 400) return new ServerRefusal(`${field}${message}`, EXIT.usage, status, code);
  if (status === 404) return new ServerRefusal(message, EXIT.failure, status, code);
  return new ServerRefusal(`the onramp server at ${url} failed: ${message}`, EXIT.failure, status, code);
}

/**
 * Runs a command's body against the onramp server's API (src/cli/api-client.ts), with the exit codes of
 * `runWithSession`. ONRAMP_SERVER alone is enough: the configuration is read only to find the server.
 */
export async function runWithServer(
  io: CliIo,
  command: string,
  body: (api: OnrampApi) => Promise<ExitCode>,
): Promise<void> {
  try {
    io.setExitCode(await body(OnrampApi.fromEnvironment(process.env, io.org)));
  } catch (error) {
    reportFailure(io, command, error);
  }
}
