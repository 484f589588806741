import ExcelJS from 'exceljs';
import type { Platform } from '../../../platform/kernel.ts';
import type { UserRow } from '../../../platform/auth/sessions.ts';
import { AppError } from '../../../platform/errors.ts';
import { writeAudit } from '../../../platform/events/audit.ts';
import { sendMail } from '../../../platform/mail.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { neutralise } from '../../../platform/records/export/cells.ts';
import { tableBuffer } from '../../../platform/records/export/streamTable.ts';
import { runDashboard, type DashboardAnswer, type WidgetAnswer } from '../dashboards/run.ts';
import { groupedCells, reportFileName, tabularCells } from '../reports/file.ts';
import type { SendOutcome } from './deliver.ts';
import type { ScheduleRow } from './store.ts';
import { escapeHtml, shown, summaryOf } from './summary.ts';

/** Rows per widget in the e-mail's body. */
const WIDGET_ROWS = 10;

function widgetCells(platform: Platform, w: WidgetAnswer) {
  if (!w.answer || !w.report) return null;
  const object = platform.registry.requireObject(w.report.object);
  const header = w.answer.columns.map((c) => c.label);
  const rows = w.answer.shape === 'tabular' ? tabularCells(object, w.answer) : groupedCells(w.answer);
  return { object, header, rows };
}

function kpiText(w: WidgetAnswer): string {
  const k = w.kpi!;
  const value = k.value === null || k.value === undefined ? '—' : `${shown(Number(k.value))}${k.currency ? ` ${k.currency}` : ''}`;
  const change = k.change === null ? '' : ` (${k.change >= 0 ? '+' : ''}${Math.round(k.change * 1000) / 10}% against the previous period)`;
  return `${k.label}: ${value}${change}`;
}

/** The body: each widget's title and its KPI, first rows or error, in the dashboard's order. */
function composeBody(platform: Platform, run: DashboardAnswer): { html: string; text: string } {
  const html: string[] = [];
  const text: string[] = [];
  const ordered = [...run.widgets].sort((a, b) => {
    const wa = run.dashboard.widgets.find((x) => x.id === a.id)!;
    const wb = run.dashboard.widgets.find((x) => x.id === b.id)!;
    return wa.y - wb.y || wa.x - wb.x;
  });
  for (const w of ordered) {
    html.push(`<h3 style="font-family:sans-serif">${escapeHtml(w.title)}</h3>`);
    text.push(`\n== ${w.title} ==`);
    if (w.error) {
      html.push(`<p style="font-family:sans-serif">This widget cannot run for you: ${escapeHtml(w.error.message)}</p>`);
      text.push(`This widget cannot run for you: ${w.error.message}`);
    } else if (w.kpi) {
      html.push(`<p style="font-family:sans-serif;font-size:18px">${escapeHtml(kpiText(w))}</p>`);
      text.push(kpiText(w));
    } else if (w.answer && w.report) {
      const summary = summaryOf(platform.registry.requireObject(w.report.object), w.answer, WIDGET_ROWS);
      html.push(summary.html);
      text.push(summary.text);
    }
  }
  return { html: html.join('\n'), text: text.join('\n') };
}

/** One sheet per widget with rows (XLSX), or one CSV per widget. */
async function attachmentsOf(platform: Platform, run: DashboardAnswer, format: 'csv' | 'xlsx', slot: Date): Promise<Array<{ filename: string; content: Buffer }>> {
  const tables = run.widgets.map((w) => ({ w, cells: widgetCells(platform, w) })).filter((t) => t.cells && t.cells.rows.length);
  if (!tables.length) return [];
  if (format === 'csv') {
    const files = [];
    for (const { w, cells } of tables) {
      const content = await tableBuffer({ sheetName: w.title, header: cells!.header, pages: async function* () { yield cells!.rows; } }, 'csv');
      files.push({ filename: reportFileName(`${run.dashboard.name} ${w.title}`, 'csv', slot), content });
    }
    return files;
  }
  const workbook = new ExcelJS.Workbook();
  const used = new Set<string>();
  for (const { w, cells } of tables) {
    // Sheet names: at most 31 characters, no []:*?/\, unique within the workbook.
    let name = w.title.replace(/[\\/?*[\]:]/g, ' ').slice(0, 28) || 'Widget';
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${name.slice(0, 26)} ${i}`;
    used.add(name.toLowerCase());
    const sheet = workbook.addWorksheet(name);
    sheet.addRow(cells!.header.map(neutralise));
    for (const row of cells!.rows) sheet.addRow(row);
  }
  return [{ filename: reportFileName(run.dashboard.name, 'xlsx', slot), content: Buffer.from(await workbook.xlsx.writeBuffer()) }];
}

/**
 * A dashboard by e-mail: run as the recipient (their access, the dashboard's default filters),
 * each widget's figure or first rows in the body and its rows attached. A recipient the dashboard
 * is not shared with is told so — unlike a report, a dashboard's layout is only for its viewers.
 */
export async function sendDashboard(args: { platform: Platform; ctx: RecordContext; row: ScheduleRow; user: UserRow; slot: Date }): Promise<SendOutcome> {
  const { platform, ctx, row, user, slot } = args;
  const link = `${platform.config.publicUrl}/dashboards/${row.dashboard_id}`;
  let run: DashboardAnswer;
  try {
    run = await runDashboard({ ctx, id: row.dashboard_id! });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'not_found') throw error;
    const why = 'This dashboard is not shared with you, so it cannot be sent to you. Ask its owner to share it, or to take you off the schedule.';
    await sendMail(platform, { to: user.email, subject: 'A scheduled dashboard could not be sent', text: `${why}\n\n${link}`, html: `<p>${escapeHtml(why)}</p>` });
    return { status: 'broken', rows: null };
  }
  const day = new Intl.DateTimeFormat(user.locale || 'en-US', { dateStyle: 'medium', timeZone: user.time_zone || row.time_zone }).format(slot);
  const body = composeBody(platform, run);
  const intro = 'Run with your own access: you see the records you could open in Meridian.';
  await sendMail(platform, {
    to: user.email, subject: `${run.dashboard.name} — ${day}`,
    text: `${run.dashboard.name}\n${intro}\n${body.text}\n\n${link}`,
    html: `<h2 style="font-family:sans-serif">${escapeHtml(run.dashboard.name)}</h2><p style="font-family:sans-serif">${escapeHtml(intro)}</p>${body.html}<p><a href="${escapeHtml(link)}">Open the dashboard in Meridian</a></p>`,
    attachments: await attachmentsOf(platform, run, row.format, slot),
  });
  await writeAudit(platform.db, { action: 'dashboards.emailed', actor: ctx.actor, target: { type: 'dashboard', id: run.dashboard.id }, details: { dashboard: run.dashboard.id, schedule: row.id, format: row.format } });
  return { status: 'sent', rows: run.widgets.length };
}
