/**
 * A browser without a browser: follows redirects by hand and keeps cookies by name (the server and the
 * sign-in provider use different names, both on loopback), so a scripted sign-in sees every hop.
 * `onramp login --person` signs in to the embedded provider with it; tests drive the console with it.
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

  /** Signs in through the console: the provider's password form (authorization code + PKCE), then back to onramp. */
  async signIn(
    server: { url: string },
    email: string,
    password: string,
    /** Sees the provider's sign-in page before the password is sent; throws to stop there. */
    checkProvider: (provider: URL) => void = () => undefined,
  ): Promise<Response> {
    const form = await this.request(`${server.url}/login`);
    checkProvider(new URL(this.url));
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

  postForm(url: string, fields: Record<string, string>, accept = 'text/html'): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
      body: new URLSearchParams(fields).toString(),
    });
  }
}
