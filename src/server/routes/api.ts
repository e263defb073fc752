import { changeWorkflowId, onboardingWorkflowId } from '../../shared/messages';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { identityOf } from '../auth';
import { INTEGRATION_NAME, type ServerContext } from '../context';
import { ApiError } from '../errors';
import { renderPlan } from '../../spec/plan';
import { awaitingDecision, awaits } from '../awaiting';
import { hasRole, type Identity } from '../identity';
import { parseQuarter, quarterOf } from '../../evidence/quarter';
import { produceEvidencePack } from '../../evidence/produce';
import { WorkflowNotFoundError } from '@temporalio/client';
import { SignoffKeyError } from '../../signoff';
import { integrationKey } from '../../spec/names';
import { orgOfKey, orgParam } from '../org-param';

/**
 * The integration a route is about, as its key (spec/names.ts integrationKey): the `:name` in the path in
 * the org of `?org=` (absent: the default org).
 */
export function integrationParam(request: FastifyRequest, ctx: Pick<ServerContext, 'config'>): string {
  const { name } = request.params as { name: string };
  if (!INTEGRATION_NAME.test(name)) throw new ApiError(400, 'invalid-field', 'must be an integration name', 'name');
  return integrationKey(name, orgParam(ctx.config, (request.query as { org?: unknown } | undefined)?.org));
}

export function field(body: unknown, name: string, required: boolean): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw new ApiError(400, 'missing-field', 'is required', name);
    return undefined;
  }
  if (typeof value !== 'string') throw new ApiError(400, 'invalid-field', 'must be a string', name);
  return value;
}

/** The org a spec is submitted or planned for, by name: the body's `org`, else `?org=` (absent: the spec decides). */
export const requestedOrg = (request: FastifyRequest): string | undefined =>
  field(request.body, 'org', false) ?? field(request.query, 'org', false);

/** The JSON API under /api: what the CLI and scripts call with a bearer token, and the console's fetches. */
export function apiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/me', async (request) => identityOf(request));

  app.get('/api/integrations', async (request) => {
    identityOf(request);
    return ctx.requests.inventory(field(request.query, 'org', false));
  });

  app.post('/api/plan', async (request) =>
    ctx.requests.plan(identityOf(request), field(request.body, 'spec', true), requestedOrg(request)),
  );

  app.post('/api/requests', async (request, reply) => {
    const started = await ctx.requests.submit(
      identityOf(request),
      field(request.body, 'spec', true)!,
      requestedOrg(request),
    );
    return reply.code(201).send(started);
  });

  app.post('/api/promotions', async (request, reply) => {
    const body = request.body;
    const promoted = await ctx.requests.promote(identityOf(request), {
      integration: field(body, 'integration', true)!,
      from: field(body, 'from', true)!,
      to: field(body, 'to', true)!,
      specText: field(body, 'spec', false),
    });
    return reply.code(201).send(promoted);
  });

  // Onboardings; with ?awaiting=me every kind of request that waits for the caller's decision.
  app.get('/api/requests', async (request) => {
    const who = identityOf(request);
    if ((request.query as { awaiting?: string }).awaiting === 'me') return awaitingDecision(ctx.client, who);
    return ctx.requests.list(who);
  });

  app.get('/api/requests/:name', async (request) => {
    const who = identityOf(request);
    const key = integrationParam(request, ctx);
    const status = await ctx.requests.get(key);
    const org = orgOfKey(ctx.config, key);
    // The plan also as `onramp plan` prints it, for scripts that show it to a person.
    return {
      ...status,
      org,
      ...(status.plan ? { planText: renderPlan(status.plan, status.requirement, org) } : {}),
      awaitingMe: awaits(status, who),
    };
  });

  app.get('/api/requests/:name/change', async (request) => {
    identityOf(request);
    const key = integrationParam(request, ctx);
    const status = await ctx.requests.change(key);
    const org = orgOfKey(ctx.config, key);
    return { ...status, org, planText: renderPlan(status.plan, status.requirement, org) };
  });

  // The latest request (an onboarding, or a change request with `kind: 'change'`). `open`: the workflow still
  // runs; clients that wait for the end poll until it is false.
  app.get('/api/requests/:name/status', async (request) => {
    identityOf(request);
    const key = integrationParam(request, ctx);
    const latest = await ctx.requests.latest(key);
    const workflowId = 'kind' in latest ? changeWorkflowId(key) : onboardingWorkflowId(key);
    return { ...latest, org: orgOfKey(ctx.config, key), workflowId };
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/api/requests/:name/${decision}`, async (request) => {
      const comment = field(request.body, 'comment', decision === 'reject');
      return ctx.requests.decide(identityOf(request), integrationParam(request, ctx), decision, comment);
    });
  }

  app.post('/api/requests/:name/cancel', async (request) =>
    ctx.requests.cancel(identityOf(request), integrationParam(request, ctx)),
  );

  app.get('/api/integrations/:name/credentials', async (request) =>
    ctx.requests.credentials(identityOf(request), integrationParam(request, ctx)),
  );

  // An integration's evidence pack (docs/evidence.md): auditors and admins only, a ZIP signed by onramp's evidence key.
  app.get('/api/integrations/:name/evidence', async (request, reply) => {
    const name = integrationParam(request, ctx);
    const asked = (request.query as { quarter?: string }).quarter;
    const quarter = asked === undefined ? quarterOf(new Date()) : parseQuarter(asked);
    if (!quarter) throw new ApiError(400, 'invalid-field', 'must be a quarter such as 2026Q4', 'quarter');
    return sendEvidence(
      request,
      reply,
      `onramp-evidence-${name}-${quarter.label}.zip`,
      `no managed integration "${name}"`,
      (who) => produceEvidencePack(ctx.client, ctx.config, name, quarter, who.email),
    );
  });

  app.get('/api/requests/:name/runbook', async (request, reply) => {
    identityOf(request);
    return reply.type('text/markdown; charset=utf-8').send(await ctx.requests.runbook(integrationParam(request, ctx)));
  });
}

/**
 * A signed evidence pack for auditors and admins (docs/evidence.md): 403 for anyone else, 404 when there is
 * nothing of that name, 503 when the server has no evidence key.
 */
export async function sendEvidence(
  request: FastifyRequest,
  reply: FastifyReply,
  filename: string,
  missing: string,
  produce: (who: Identity) => Promise<Buffer>,
) {
  const who = identityOf(request);
  if (!hasRole(who, 'auditor', 'admin'))
    throw new ApiError(403, 'not-auditor', `${who.email} is neither an auditor nor an admin`);
  const pack = await produce(who).catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) throw new ApiError(404, 'not-found', missing, 'name');
    if (error instanceof SignoffKeyError) {
      request.log.error({ err: error }, 'no evidence pack: the evidence signing key is missing or invalid');
      throw new ApiError(503, 'no-evidence-key', 'the server has no evidence signing key; see its log');
    }
    throw error;
  });
  return reply.type('application/zip').header('content-disposition', `attachment; filename="${filename}"`).send(pack);
}
