import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, RecordSchema, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';
import { hasCapability } from '../../platform/access/policy.ts';
import { forbidden } from '../../platform/errors.ts';
import { billingSettings, readRecord, today } from '../billing/index.ts';
import { runDunning } from './run/run.ts';
import { previewDunning } from './run/preview.ts';
import { setInvoiceDispute } from './commands/dispute.ts';
import { renderReminder, sampleData } from './templates.ts';

export const RUN_REMINDERS = 'dunning.run_reminders';

const tags = ['dunning'];
const Day = T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const RunResult = T.Object({
  day: T.String(), emails: T.Integer(), reminders: T.Integer(), refused: T.Integer(), recovered: T.Integer(), cancelled: T.Integer(), tasks: T.Integer(),
});
const Named = T.Object({ id: T.String(), name: T.String() });
const Preview = T.Object({
  day: T.String(),
  more: T.Boolean(),
  mails: T.Array(T.Object({
    account: Named,
    to: T.String(),
    level: T.Object({ id: T.String(), level: T.Integer(), name: T.String(), fee: T.Union([T.Number(), T.Null()]), createsTask: T.Boolean() }),
    invoices: T.Array(T.Object({ id: T.String(), number: T.Union([T.String(), T.Null()]), due_date: T.String(), days_overdue: T.Integer(), open_amount: T.String(), currency: T.String(), pay_link: T.Union([T.String(), T.Null()]) })),
    subject: T.String(),
    text: T.String(),
  })),
  skipped: T.Array(T.Object({ account: Named, reason: T.String() })),
});
const Rendered = T.Object({ subject: T.String(), text: T.String(), html: T.String() });

/** Dunning's routes (docs/dunning.md): run now, the dry run, a template's preview, an invoice's dispute. Thin: each calls one command. */
export function registerDunningRoutes(app: FastifyInstance, platform: Platform): void {
  const gate = (request: Parameters<typeof recordContext>[1]) => {
    const ctx = recordContext(platform, request);
    if (!hasCapability(ctx.actor, RUN_REMINDERS)) throw forbidden('Payment reminders need the "Run payment reminders" permission');
    return ctx;
  };

  app.post('/api/v1/dunning/run', {
    schema: routeSchema({
      tags, operationId: 'runDunning',
      summary: 'Send the payment reminders due today now (what the daily run sends); a reminder already sent is never sent again',
      body: T.Optional(T.Object({}, { additionalProperties: false })),
      response: { 200: RunResult },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const ctx = gate(request);
    return runDunning({ platform, actor: ctx.actor });
  });

  app.get('/api/v1/dunning/preview', {
    schema: routeSchema({
      tags, operationId: 'previewDunning',
      summary: 'Dry run: the reminders the run would send today (or on a given day), per account and level, rendered; sends and records nothing',
      querystring: T.Object({ date: T.Optional(Day), limit: T.Optional(T.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false }),
      response: { 200: Preview },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const ctx = gate(request);
    const q = request.query as { date?: string; limit?: number };
    return previewDunning({ ctx, ...(q.date ? { day: q.date } : {}), ...(q.limit ? { limit: q.limit } : {}) });
  });

  app.post('/api/v1/dunning/template-preview', {
    schema: routeSchema({
      tags, operationId: 'previewDunningTemplate',
      summary: "A level's subject and body rendered against a sample account with two overdue invoices (422 naming the field for a template error)",
      body: T.Object({
        subject: T.String({ maxLength: 1000 }), body: T.String({ maxLength: 100_000 }),
        level: T.Optional(T.Integer({ minimum: 1 })), name: T.Optional(T.String({ maxLength: 255 })), days_overdue: T.Optional(T.Integer({ minimum: 0 })),
        fee: T.Optional(T.Union([T.Number({ minimum: 0 }), T.Null()])), final: T.Optional(T.Boolean()),
        account: T.Optional(Uuid),
      }, { additionalProperties: false }),
      response: { 200: Rendered },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const ctx = recordContext(platform, request);
    const b = request.body as { subject: string; body: string; level?: number; name?: string; days_overdue?: number; fee?: number | null; final?: boolean; account?: string };
    const account = b.account ? await readRecord(ctx, 'account', b.account, ['name', 'email', 'document_locale']) : null;
    const data = sampleData({
      level: { level: b.level ?? 1, name: b.name ?? 'Reminder', days_overdue: b.days_overdue ?? 3, fee: b.fee ?? null, final: b.final ?? false },
      company: billingSettings.of(platform).companyName, today: today(ctx), publicUrl: platform.config.publicUrl,
      ...(account ? { account: { name: String(account.name ?? ''), email: (account.email as string | null) ?? null, locale: (account.document_locale as string | null) ?? 'en-US' } } : {}),
    });
    return renderReminder({ subject: b.subject, body: b.body }, data);
  });

  app.post('/api/v1/invoices/:id/dispute', {
    schema: routeSchema({
      tags: ['invoices'], operationId: 'setInvoiceDispute',
      summary: 'Mark an invoice disputed (no payment reminders while it is) or clear the dispute; allowed on posted invoices',
      params: T.Object({ id: PathId }),
      body: T.Object({ disputed: T.Boolean(), reason: T.Optional(T.Union([T.String({ maxLength: 10_000 }), T.Null()])) }, { additionalProperties: false }),
      response: { 200: RecordSchema },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const ctx = recordContext(platform, request);
    return setInvoiceDispute({ ctx, id: (request.params as { id: string }).id, input: request.body as { disputed: boolean; reason?: string | null } });
  });
}
