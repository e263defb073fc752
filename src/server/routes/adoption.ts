import type { FastifyInstance } from 'fastify';
import { identityOf } from '../auth';
import type { ServerContext } from '../context';
import { ApiError } from '../errors';
import { orgParam } from '../org-param';
import { field, integrationParam } from './api';

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

/** Discovery and adoption of integrations made by hand (docs/day-two.md, "Adoption"). */
export function adoptionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/discover', async (request) => {
    const { org } = request.query as { org?: unknown };
    return ctx.adoptions.discover(identityOf(request), orgParam(ctx.config, org));
  });

  app.post('/api/adoptions', async (request, reply) => {
    const body = request.body;
    const approvers = (body as { approvers?: unknown } | undefined)?.approvers;
    if (!Array.isArray(approvers) || approvers.length === 0 || approvers.some((a) => typeof a !== 'string'))
      throw new ApiError(400, 'invalid-field', 'must list at least one approver (emails or groups)', 'approvers');
    const reviewOn = field(body, 'reviewOn', true)!;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(reviewOn) || Number.isNaN(Date.parse(reviewOn)))
      throw new ApiError(400, 'invalid-field', 'must be a date such as 2027-03-31', 'reviewOn');
    const app = field(body, 'app', false);
    const displayName = field(body, 'displayName', false);
    const answer = await ctx.adoptions.adopt(
      identityOf(request),
      {
        name: field(body, 'name', true)!,
        username: field(body, 'username', true)!,
        owner: field(body, 'owner', true)!,
        purpose: field(body, 'purpose', true)!,
        reviewOn,
        approvers: approvers as string[],
        ...optional('org', orgParam(ctx.config, (request.query as { org?: unknown }).org ?? field(body, 'org', false))),
        ...(app ? { app } : {}),
        ...(displayName ? { displayName } : {}),
      },
      (body as { dryRun?: unknown } | undefined)?.dryRun === true,
    );
    return reply.code(answer.started ? 201 : 200).send(answer);
  });

  app.get('/api/adoptions/:name', async (request) => {
    identityOf(request);
    return ctx.adoptions.status(integrationParam(request, ctx));
  });

  for (const decision of ['approve', 'reject'] as const)
    app.post(`/api/adoptions/:name/${decision}`, async (request) =>
      ctx.adoptions.decide(
        identityOf(request),
        integrationParam(request, ctx),
        decision,
        field(request.body, 'comment', decision === 'reject'),
      ),
    );
}
