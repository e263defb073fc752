import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityOf } from '../auth';
import type { ServerContext } from '../context';
import { field, integrationParam } from './api';

const KINDS = { offboarding: 'offboarding', remediation: 'remediation', migration: 'migration' } as const;

/**
 * The lifecycle of a managed integration under /api/integrations/:name: offboarding and remediation
 * and the migration of its Connected App to an External Client App (requested, then decided by its
 * approvers, all signed for the signed-in people), and rotation.
 */
export function lifecycleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const name = (request: FastifyRequest) => integrationParam(request, ctx);
  const base = '/api/integrations/:name';

  app.post(`${base}/offboarding`, async (request, reply) =>
    reply
      .code(201)
      .send(await ctx.lifecycle.offboard(identityOf(request), name(request), field(request.body, 'reason', true)!)),
  );
  app.post(`${base}/remediation`, async (request, reply) => {
    const answer = await ctx.lifecycle.remediate(identityOf(request), name(request), field(request.body, 'run', false));
    return reply.code(answer.requested ? 201 : 200).send(answer);
  });
  app.post(`${base}/migration`, async (request, reply) =>
    reply.code(201).send(
      await ctx.lifecycle.migrate(identityOf(request), name(request), {
        ...optional('switchTimeout', field(request.body, 'switchTimeout', false)),
        ...optional('switchPoll', field(request.body, 'switchPoll', false)),
      }),
    ),
  );
  app.post(`${base}/migration/switched`, async (request) => ctx.lifecycle.switched(identityOf(request), name(request)));
  for (const kind of Object.values(KINDS)) {
    app.get(`${base}/${kind}`, async (request) => {
      identityOf(request);
      return ctx.lifecycle.status(kind, name(request));
    });
    for (const decision of ['approve', 'reject'] as const) {
      app.post(`${base}/${kind}/${decision}`, async (request) =>
        ctx.lifecycle.decide(
          identityOf(request),
          kind,
          name(request),
          decision,
          field(request.body, 'comment', decision === 'reject'),
        ),
      );
    }
  }
  app.post(`${base}/rotation`, async (request, reply) =>
    reply
      .code(201)
      .send(
        await ctx.lifecycle.rotate(
          identityOf(request),
          name(request),
          field(request.body, 'reason', false) ?? 'requested by hand',
        ),
      ),
  );
  app.get(`${base}/rotation`, async (request) => {
    identityOf(request);
    return ctx.lifecycle.rotation(name(request));
  });
}

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;
