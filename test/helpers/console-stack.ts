import { after, before } from 'node:test';
import { listenOnrampServer, type RunningServer } from '../../src/server/listen';
import { SEEDED_PASSWORD } from '../../src/server/idp/people';
import { useOnrampStack, type OnrampStack } from './onramp-stack';

/** onramp as people reach it: the stack of useOnrampStack, the server, and the embedded OpenID provider. */
export interface ConsoleStack {
  stack: OnrampStack;
  server: RunningServer;
}

export function useConsoleStack(): ConsoleStack {
  const stack = useOnrampStack();
  const running = { stack } as ConsoleStack;
  before(async () => {
    running.server = await listenOnrampServer({
      config: stack.config,
      client: stack.client,
      admin: stack.admin,
      embeddedIdp: true,
      port: 0,
    });
  });
  // Registered after useOnrampStack's: node:test runs after hooks in order, so close the server first there.
  after(async () => {
    await running.server?.close();
  });
  return running;
}

/**
 * A browser without a browser: follows redirects by hand and keeps cookies (by name; the server and the
 * provider use different names), so a test sees every hop of the sign-in.
 */
export class HttpAgent {
  readonly cookies = new Map<string, string>();
  /** The URL of the last page reached, after redirects. */
  url = '';

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    let target = url;
    let options: RequestInit = init;
    for (let hop = 0; hop < 20; hop++) {
      const headers = new Headers(options.headers);
      if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
      const response = await fetch(target, { ...options, headers, redirect: 'manual' });
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';');
        const at = pair!.indexOf('=');
        const name = pair!.slice(0, at).trim();
        const value = pair!.slice(at + 1).trim();
        const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0/i.test(a));
        if (expired || value === '') this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        this.url = target;
        return response;
      }
      await response.arrayBuffer();
      target = new URL(location, target).href;
      options = { method: 'GET' };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Signs in through the console: the provider's password form, then back to onramp. */
  async signIn(server: RunningServer, email: string, password = SEEDED_PASSWORD): Promise<Response> {
    const form = await this.request(`${server.url}/login`);
    const action = /action="([^"]+)"/.exec(await form.text())?.[1];
    if (!action) throw new Error(`no sign-in form at ${this.url}`);
    return this.request(new URL(action, this.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }).toString(),
    });
  }

  /** The CSRF token of the page's forms. */
  static csrfOf(html: string): string {
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error('the page has no CSRF field');
    return token;
  }

  postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}
