import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { adminsOnly, recordContext } from '../../platform/http/context.ts';
import { PathId, T, routeSchema } from '../../platform/http/schema/common.ts';
import { getPublicForm, submitWebForm, type SubmitBody } from './submit.ts';
import { renderEmbedScript, renderFormPage, snippetsFor } from './page.ts';
import { formSummary } from './summary.ts';
import { parseFormFields } from './form.ts';
import { assertObjectPermission } from '../../platform/access/policy.ts';
import { speedToLeadReport, type SpeedGrouping } from './speed.ts';
import { startLeadMailbox } from './mailbox.ts';
import { leadCaptureSettings } from './settings.ts';
import { nextTurns, previewLeadAssignment, type PreviewValues } from './preview.ts';
import { ORDERED_OBJECTS, reorderAssignment, type OrderedObject } from './reorder.ts';

const tags = ['leadcapture'];
const PublicId = T.Object({ publicId: T.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
const Html = (description: string) => T.Unsafe({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const Nullable = <S extends ReturnType<typeof T.String>>(s: S) => T.Union([s, T.Null()]);
const FormField = T.Object({
  name: T.String(), label: T.String(), type: T.String(), required: T.Boolean(),
  options: T.Optional(T.Array(T.Object({ value: T.String(), label: T.String() }))),
});
const PublicFormSchema = T.Object({
  name: T.String(), fields: T.Array(FormField), honeypot: T.String(), token: T.String(),
  pow: T.Union([T.Object({ bits: T.Integer() }), T.Null()]), thankYou: Nullable(T.String()), redirectUrl: Nullable(T.String()),
});
const Utm = T.Object({
  utm_source: T.Optional(T.String({ maxLength: 255 })), utm_medium: T.Optional(T.String({ maxLength: 255 })), utm_campaign: T.Optional(T.String({ maxLength: 255 })),
  utm_term: T.Optional(T.String({ maxLength: 255 })), utm_content: T.Optional(T.String({ maxLength: 255 })),
}, { additionalProperties: false });
const SpeedRow = T.Object({ key: Nullable(T.String()), label: Nullable(T.String()), leads: T.Integer(), contacted: T.Integer(), within15: T.Integer(), share: T.Number(), medianMinutes: T.Union([T.Number(), T.Null()]) });
const Day = T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Person = T.Union([T.Object({ id: T.String(), name: T.String() }), T.Null()]);
const AssignmentPreview = T.Object({
  rule: T.Union([T.Object({ id: T.String(), name: T.String() }), T.Null()], { description: 'The rule that decides; null when none does (the lead would keep its owner or have none)' }),
  owner: Person,
  queue: Nullable(T.String()),
});
const NOT_FOUND_PAGE = '<!doctype html><html lang="en"><meta charset="utf-8"><title>Form not found</title><p>This form is not available.</p></html>';

/**
 * Lead capture's routes: the public form API (under /api/v1/public/, no session or token is read),
 * the hosted page and embed script under /f/, and the staff's form summary and speed-to-lead
 * report. Thin: each calls one command or query.
 */
export function registerLeadCaptureRoutes(app: FastifyInstance, platform: Platform): void {
  // The capture mailbox lives as long as the HTTP server (a worker process opens none).
  if (leadCaptureSettings.of(platform).smtpPort > 0) {
    let mailbox: Awaited<ReturnType<typeof startLeadMailbox>> | undefined;
    app.addHook('onReady', async () => {
      mailbox = await startLeadMailbox(platform);
    });
    app.addHook('onClose', async () => {
      await mailbox?.close();
    });
  }
  app.get('/api/v1/public/forms/:publicId', {
    schema: routeSchema({ tags, operationId: 'getPublicWebForm', summary: 'Public: a web form’s fields and a fresh submission token (and proof-of-work challenge)', security: [], params: PublicId, response: { 200: PublicFormSchema } }),
  }, async (request, reply) => {
    await platform.registry.ensureFresh();
    reply.header('cache-control', 'no-store');
    return getPublicForm(platform, (request.params as { publicId: string }).publicId);
  });

  app.post('/api/v1/public/forms/:publicId', {
    schema: routeSchema({
      tags, operationId: 'submitWebForm', security: [], params: PublicId,
      summary: 'Public: submit a web form (creates or attaches to a lead); spam is refused and counted: 422 too_fast/expired/replay/pow, 429 rate limit',
      body: T.Object({
        token: T.String({ maxLength: 300 }),
        values: T.Record(T.String({ maxLength: 64 }), T.Union([T.String({ maxLength: 5000 }), T.Number(), T.Null()]), { maxProperties: 60 }),
        website_url: T.Optional(T.String({ maxLength: 500, description: 'The honeypot: people leave it empty' })),
        pow: T.Optional(T.String({ maxLength: 32 })),
        utm: T.Optional(Utm),
      }, { additionalProperties: false }),
      response: { 200: T.Object({ message: Nullable(T.String()), redirectUrl: Nullable(T.String()) }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return submitWebForm({ platform, publicId: (request.params as { publicId: string }).publicId, body: request.body as SubmitBody, ip: request.ip });
  });

  app.get('/f/:publicId', {
    schema: routeSchema({ tags, operationId: 'getWebFormPage', summary: 'Public: the hosted form page (HTML)', security: [], params: PublicId, response: { 200: Html('The form'), 404: Html('Unknown or inactive form') } }),
  }, async (request, reply) => {
    await platform.registry.ensureFresh();
    const publicId = (request.params as { publicId: string }).publicId;
    const nonce = randomBytes(16).toString('base64');
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
      .header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; base-uri 'none'`);
    try {
      return reply.type('text/html; charset=utf-8').send(renderFormPage({ publicId, form: await getPublicForm(platform, publicId), nonce }));
    } catch {
      return reply.status(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
    }
  });

  app.get('/f/:publicId/embed.js', {
    schema: routeSchema({ tags, operationId: 'getWebFormEmbed', summary: 'Public: the embed script (an iframe of the hosted page where the script tag stands)', security: [], params: PublicId, response: { 200: T.Unsafe({ description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } }) } }),
  }, async (request, reply) => {
    const { hostedUrl } = snippetsFor(platform.config.publicUrl, (request.params as { publicId: string }).publicId);
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(renderEmbedScript({ pageUrl: hostedUrl }));
  });

  app.get('/api/v1/leadcapture/forms/:id/summary', {
    schema: routeSchema({
      tags, operationId: 'getWebFormSummary', summary: "A form's links and snippets, its submissions by outcome and its blocked attempts by reason",
      params: T.Object({ id: PathId }),
      response: { 200: T.Object({ hostedUrl: T.String(), script: T.String(), iframe: T.String(), submissions: T.Object({ created: T.Integer(), attached: T.Integer() }), blocked: T.Record(T.String(), T.Integer()) }) },
    }),
  }, async (request) => formSummary({ ctx: recordContext(platform, request), id: (request.params as { id: string }).id }));

  app.post('/api/v1/leadcapture/form-preview', {
    schema: routeSchema({
      tags, operationId: 'previewWebFormFields', summary: "The fields a form's field list shows, for the builder's live preview (422 naming `fields` for a bad entry)",
      body: T.Object({ fields: T.String({ maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 200: T.Object({ fields: T.Array(FormField) }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    assertObjectPermission(recordContext(platform, request).actor, platform.registry.requireObject('web_form'), 'read');
    return { fields: parseFormFields((request.body as { fields: string }).fields, platform.registry.requireObject('lead')) };
  });

  app.get('/api/v1/leadcapture/speed', {
    schema: routeSchema({
      tags, operationId: 'getSpeedToLead',
      summary: 'Speed to lead: the share of leads contacted within 15 minutes of capture, by owner, source or week (leads you can see)',
      querystring: T.Object({ groupBy: T.Union([T.Literal('owner'), T.Literal('source'), T.Literal('week')]), from: Day, to: Day }, { additionalProperties: false }),
      response: { 200: T.Object({ total: SpeedRow, rows: T.Array(SpeedRow) }) },
    }),
  }, async (request) => {
    const q = request.query as { groupBy: SpeedGrouping; from: string; to: string };
    return speedToLeadReport({ ctx: recordContext(platform, request), ...q });
  });

  app.post('/api/v1/lead-assignment/preview', {
    ...adminsOnly,
    schema: routeSchema({
      tags, operationId: 'previewLeadAssignment',
      summary: 'Administrators: which assignment rule and user would get a lead (an existing one and/or typed values), without assigning it or advancing a turn',
      body: T.Object({
        leadId: T.Optional(PathId),
        values: T.Optional(T.Record(T.String({ maxLength: 64 }), T.Union([T.String({ maxLength: 5000 }), T.Number(), T.Boolean(), T.Null()]), { maxProperties: 100 })),
      }, { additionalProperties: false }),
      response: { 200: AssignmentPreview },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const body = request.body as { leadId?: string; values?: PreviewValues };
    return previewLeadAssignment({ ctx: recordContext(platform, request), ...body });
  });

  app.post('/api/v1/lead-assignment/reorder', {
    ...adminsOnly,
    schema: routeSchema({
      tags, operationId: 'reorderLeadAssignment',
      summary: 'Administrators: put the assignment rules or territories in the order given (sort_order 10, 20, 30…), all or nothing, through the record pipeline',
      body: T.Object({
        object: T.Union(ORDERED_OBJECTS.map((o) => T.Literal(o))),
        ids: T.Array(PathId, { minItems: 1, maxItems: 1000 }),
      }, { additionalProperties: false }),
      response: { 200: T.Object({ data: T.Array(T.Object({ id: T.String(), sort_order: T.Integer() })) }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const body = request.body as { object: OrderedObject; ids: string[] };
    return reorderAssignment({ ctx: recordContext(platform, request), ...body });
  });

  app.get('/api/v1/lead-assignment/next-turns', {
    ...adminsOnly,
    schema: routeSchema({
      tags, operationId: 'getAssignmentNextTurns', summary: "Administrators: per assignment group, the rep whose turn is next (reps out of office today passed over)",
      response: { 200: T.Object({ data: T.Array(T.Object({ group: T.String(), user: Person })) }) },
    }),
  }, async (request) => nextTurns({ ctx: recordContext(platform, request) }));
}
