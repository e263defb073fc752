import type { Identity } from '../identity';
import { escapeHtml } from './html';

export interface PageContext {
  identity?: Identity;
  csrfToken?: string;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;line-height:1.45}
header,main,footer{max-width:72rem;margin:0 auto;padding:.5rem 1.5rem}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ccc}
header a.brand{font-weight:700;font-size:1.2rem;color:inherit;text-decoration:none}
nav ul{list-style:none;display:flex;gap:1rem;margin:0;padding:0;align-items:center}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;
vertical-align:top}th{background:#f0f0f0}pre{background:#f6f6f6;padding:.75rem;overflow:auto;border:1px solid #ddd}
.risk-high{color:#9b0000;font-weight:700}.risk-medium{color:#8a4b00}.error{color:#9b0000}.notice{background:#eef6ee;
padding:.5rem;border:1px solid #9c9}.alert{background:#fbeaea;padding:.5rem;border:1px solid #d99}
textarea{width:100%;font-family:monospace}button{padding:.4rem 1rem;font-size:1rem;cursor:pointer}
a:focus,button:focus,textarea:focus,input:focus{outline:3px solid #1a5fb4;outline-offset:2px}
.state-done{color:#176117}.state-failed{color:#9b0000}.state-running,.state-waiting{color:#1a5fb4}`;

/** Every console page: landmarks (header/nav, main, footer), one h1, the signed-in person and sign-out. */
export function layout(title: string, ctx: PageContext, body: string): string {
  const who = ctx.identity
    ? `<li>Signed in as <strong>${escapeHtml(ctx.identity.name)}</strong> (${escapeHtml(ctx.identity.email)}; ` +
      `${escapeHtml(ctx.identity.roles.join(', ') || 'no role')})</li>
      <li><a href="/integrations">Integrations</a></li>
      <li><a href="/reviews">Access reviews</a></li>
      <li><a href="/tokens">API tokens</a></li>
      <li><form method="post" action="/logout">${csrfField(ctx)}<button type="submit">Sign out</button></form></li>`
    : '<li><a href="/login">Sign in</a></li>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - onramp</title><style>${STYLE}</style></head>
<body>
<header><a class="brand" href="/">onramp</a><nav aria-label="Account"><ul>${who}</ul></nav></header>
<main id="main"><h1>${escapeHtml(title)}</h1>
${body}
</main>
<footer><p>onramp: Salesforce integration-user onboarding, approved and audited.</p></footer>
</body></html>`;
}

export const csrfField = (ctx: PageContext) =>
  ctx.csrfToken ? `<input type="hidden" name="_csrf" value="${escapeHtml(ctx.csrfToken)}">` : '';
