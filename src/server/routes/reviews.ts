import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { identityOf } from '../auth';
import type { ServerContext } from '../context';
import { ApiError } from '../errors';
import type { PageContext } from '../views/layout';
import { campaignPage, reviewsPage } from '../views/reviews-page';
import { integrationParam, sendEvidence } from './api';
import { produceCampaignPack } from '../../evidence/campaign';

/** Campaign ids as reviewWorkflowId makes them; anything else is refused before Temporal is asked. */
const CAMPAIGN_ID = /^onramp:review:[A-Za-z0-9:-]{1,80}$/;

function campaignParam(request: FastifyRequest): string {
  const id = (request.params as { campaign?: string }).campaign ?? '';
  if (!CAMPAIGN_ID.test(id)) throw new ApiError(400, 'invalid-field', 'is not an access review id', 'campaign');
  return id;
}

const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
const text = (request: FastifyRequest, name: string) => {
  const value = body(request)[name];
  return typeof value === 'string' ? value : undefined;
};
const answerOf = (request: FastifyRequest) => ({
  ...(text(request, 'comment') ? { comment: text(request, 'comment') } : {}),
  ...(text(request, 'spec') ? { spec: text(request, 'spec') } : {}),
  ...(text(request, 'reason') ? { reason: text(request, 'reason') } : {}),
});

function pageContext(request: FastifyRequest): PageContext {
  const identity = identityOf(request);
  return { identity, ...(request.session ? { csrfToken: request.session.csrfToken } : {}) };
}
const html = (reply: FastifyReply, page: string, code = 200) =>
  reply.code(code).type('text/html; charset=utf-8').send(page);

/** Access reviews (docs/reviews.md): the API under /api/reviews and the console's /reviews pages. */
export function reviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/reviews', async (request, reply) =>
    reply.code(201).send(await ctx.reviews.start(identityOf(request), body(request))),
  );
  app.get('/api/reviews', async (request) => {
    const who = identityOf(request);
    if ((request.query as { awaiting?: string }).awaiting === 'me')
      return { awaiting: await ctx.reviews.awaiting(who) };
    return { campaigns: await ctx.reviews.list() };
  });
  app.get('/api/reviews/:campaign', async (request) => {
    identityOf(request);
    return ctx.reviews.get(campaignParam(request));
  });
  // The campaign's signed evidence pack: every attestation, the facts owners saw, the progress (docs/reviews.md).
  app.get('/api/reviews/:campaign/evidence', async (request, reply) => {
    const id = campaignParam(request);
    return sendEvidence(
      request,
      reply,
      `onramp-evidence-${id.replace(/:/g, '-')}.zip`,
      `no access review ${id}`,
      (who) => produceCampaignPack(ctx.client, ctx.config, id, who.email),
    );
  });
  app.get('/api/reviews/:campaign/:name/spec', async (request, reply) => {
    identityOf(request);
    return reply.type('text/yaml; charset=utf-8').send(await ctx.reviews.currentSpec(integrationParam(request, ctx)));
  });
  app.post('/api/reviews/:campaign/:name/:decision', async (request) =>
    ctx.reviews.answer(
      identityOf(request),
      campaignParam(request),
      integrationParam(request, ctx),
      (request.params as { decision: string }).decision,
      answerOf(request),
    ),
  );

  app.get('/reviews', async (request, reply) => {
    const page = pageContext(request);
    const awaiting = await ctx.reviews.awaiting(page.identity!);
    const specs = new Map<string, string>();
    for (const a of awaiting)
      specs.set(a.item.facts.integration, await ctx.reviews.currentSpec(a.item.facts.integration));
    return html(reply, reviewsPage(page, awaiting, specs, await ctx.reviews.list()));
  });
  app.get('/reviews/:campaign', async (request, reply) =>
    html(reply, campaignPage(pageContext(request), await ctx.reviews.get(campaignParam(request)))),
  );
  app.post('/reviews/:campaign/:name/:decision', async (request, reply) => {
    const page = pageContext(request);
    let message: string;
    try {
      const item = await ctx.reviews.answer(
        page.identity!,
        campaignParam(request),
        integrationParam(request, ctx),
        (request.params as { decision: string }).decision,
        answerOf(request),
      );
      message = `Recorded: ${item.facts.integration} ${item.state}${item.review?.followUp ? ` (${item.review.followUp.kind} ${item.review.followUp.workflowId} awaits sign-off)` : ''}.`;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      message = `Not recorded: ${error.field ? `${error.field} ` : ''}${error.message}`;
    }
    const awaiting = await ctx.reviews.awaiting(page.identity!);
    const specs = new Map<string, string>();
    for (const a of awaiting)
      specs.set(a.item.facts.integration, await ctx.reviews.currentSpec(a.item.facts.integration));
    return html(reply, reviewsPage(page, awaiting, specs, await ctx.reviews.list(), message));
  });
}
