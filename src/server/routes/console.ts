import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { identityOf } from '../auth';
import type { ServerContext } from '../context';
import { ApiError } from '../errors';
import { awaitingDecision, awaits } from '../awaiting';
import type { PageContext } from '../views/layout';
import { STATUS_SCRIPT } from '../views/status-script';
import { inventoryPage } from '../views/inventory-page';
import { renderPlan, type Plan } from '../../spec/plan';
import type { Identity } from '../identity';
import {
  homePage,
  newRequestPage,
  requestPage,
  requestPath,
  runbookPage,
  signOffPage,
  tokensPage,
  type SignOffView,
} from '../views/pages';
import { field, integrationParam } from './api';
import { orgOfKey } from '../org-param';
import { orgRef } from '../../config';
import { integrationKey } from '../../spec/names';

function pageContext(request: FastifyRequest): PageContext {
  const identity = identityOf(request);
  return { identity, ...(request.session ? { csrfToken: request.session.csrfToken } : {}) };
}

const html = (reply: FastifyReply, body: string, code = 200) =>
  reply.code(code).type('text/html; charset=utf-8').send(body);
const formField = (request: FastifyRequest, name: string) => {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/** Takes the decision form's approve/reject with its comment; what the page then says about it. */
async function decided(
  request: FastifyRequest,
  what: string,
  decide: (decision: 'approve' | 'reject', comment: string) => Promise<{ decision: string; at: string }>,
): Promise<string> {
  const decision = formField(request, 'decision');
  if (decision !== 'approve' && decision !== 'reject')
    throw new ApiError(400, 'invalid-field', 'must be approve or reject', 'decision');
  try {
    const record = await decide(decision, formField(request, 'comment'));
    return `You ${record.decision} this ${what} at ${record.at}.`;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
    return `Not recorded: ${error.field ? `${error.field} ` : ''}${error.message}`;
  }
}

/** The web console: server-rendered pages, forms that work without script; script only refreshes the step table. */
export function consoleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/static/status.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(STATUS_SCRIPT),
  );

  app.get('/', async (request, reply) => {
    const page = pageContext(request);
    const [requests, awaiting] = await Promise.all([
      ctx.requests.list(page.identity!),
      awaitingDecision(ctx.client, page.identity!),
    ]);
    return html(reply, homePage(page, requests, awaiting));
  });

  app.get('/integrations', async (request, reply) =>
    html(reply, inventoryPage(pageContext(request), await ctx.requests.inventory(field(request.query, 'org', false)))),
  );

  app.get('/requests/new', async (request, reply) => html(reply, newRequestPage(pageContext(request))));

  app.post('/requests', async (request, reply) => {
    const page = pageContext(request);
    const spec = formField(request, 'spec');
    try {
      const started = await ctx.requests.submit(page.identity!, spec);
      return reply.redirect(requestPath(integrationKey(started.integration, orgRef(ctx.config, started.org))), 303);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 403) throw error;
      return html(reply, newRequestPage(page, spec, error.issues ?? [], error.message), error.status);
    }
  });

  app.get('/requests/:name', async (request, reply) => {
    const page = pageContext(request);
    const key = integrationParam(request, ctx);
    const status = { ...(await ctx.requests.get(key)), key, org: orgOfKey(ctx.config, key) };
    return html(reply, requestPage(page, status, awaits(status, page.identity!)));
  });

  app.post('/requests/:name/decision', async (request, reply) => {
    const page = pageContext(request);
    const name = integrationParam(request, ctx);
    const message = await decided(request, 'onboarding', (decision, comment) =>
      ctx.requests.decide(page.identity!, name, decision, comment),
    );
    const status = { ...(await ctx.requests.get(name)), key: name, org: orgOfKey(ctx.config, name) };
    return html(reply, requestPage(page, status, awaits(status, page.identity!), message));
  });

  app.post('/requests/:name/cancel', async (request, reply) => {
    const page = pageContext(request);
    const key = integrationParam(request, ctx);
    const status = { ...(await ctx.requests.cancel(page.identity!, key)), key, org: orgOfKey(ctx.config, key) };
    return html(
      reply,
      requestPage(page, status, false, `Cancelled; ${status.failure?.undone.length ?? 0} step(s) undone.`),
    );
  });

  // Every other request with a sign-off: what it asks, its decision trail and, for its approvers, the decision form.
  const signOffView = async (kind: SignOffView['kind'], name: string): Promise<SignOffView> => {
    if (kind === 'change') {
      const status = await ctx.requests.change(name);
      return { kind, status, planText: renderPlan(status.plan, status.requirement) };
    }
    if (kind === 'adoption') {
      const { planText, ...status } = await ctx.adoptions.status(name);
      return { kind, status, planText };
    }
    const status = await ctx.lifecycle.status(kind, name);
    if ('plan' in status) return { kind, status, planText: renderPlan(status.plan as Plan, status.requirement) };
    return { kind, status, ...('fixes' in status ? { fixes: status.fixes as SignOffView['fixes'] } : {}) };
  };
  const decide = (
    who: Identity,
    kind: SignOffView['kind'],
    name: string,
    decision: 'approve' | 'reject',
    comment: string,
  ) => {
    if (kind === 'change') return ctx.requests.decide(who, name, decision, comment);
    if (kind === 'adoption') return ctx.adoptions.decide(who, name, decision, comment);
    return ctx.lifecycle.decide(who, kind, name, decision, comment);
  };
  for (const kind of ['change', 'offboarding', 'remediation', 'migration', 'adoption'] as const) {
    app.get(`/requests/:name/${kind}`, async (request, reply) => {
      const page = pageContext(request);
      const view = await signOffView(kind, integrationParam(request, ctx));
      return html(reply, signOffPage(page, view, awaits(view.status, page.identity!)));
    });
    app.post(`/requests/:name/${kind}/decision`, async (request, reply) => {
      const page = pageContext(request);
      const name = integrationParam(request, ctx);
      const message = await decided(request, kind, (decision, comment) =>
        decide(page.identity!, kind, name, decision, comment),
      );
      const view = await signOffView(kind, name);
      return html(reply, signOffPage(page, view, awaits(view.status, page.identity!), message));
    });
  }

  app.get('/requests/:name/runbook', async (request, reply) => {
    const page = pageContext(request);
    const name = integrationParam(request, ctx);
    return html(reply, runbookPage(page, name, await ctx.requests.runbook(name)));
  });

  app.get('/tokens', async (request, reply) => {
    const page = pageContext(request);
    return html(reply, tokensPage(page, ctx.tokens.listFor(page.identity!.sub)));
  });

  app.post('/tokens', async (request, reply) => {
    const page = pageContext(request);
    if (request.viaToken)
      throw new ApiError(403, 'console-only', 'tokens are issued to a person signed in to the console');
    const label = formField(request, 'label').trim().slice(0, 80);
    if (!label) throw new ApiError(400, 'missing-field', 'is required', 'label');
    const issued = await ctx.tokens.issue(page.identity!, label);
    // `onramp login --person` asks for JSON; a browser gets the page that shows the token once.
    if (request.headers.accept === 'application/json') return reply.code(201).send(issued);
    return html(reply, tokensPage(page, ctx.tokens.listFor(page.identity!.sub), issued));
  });

  app.post('/tokens/:id/revoke', async (request, reply) => {
    const page = pageContext(request);
    await ctx.tokens.revoke(page.identity!.sub, (request.params as { id: string }).id);
    return reply.redirect('/tokens', 303);
  });
}
