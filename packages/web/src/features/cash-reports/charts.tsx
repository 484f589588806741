import { Group, Text } from '@mantine/core';

/**
 * Small SVG charts for the cash reports (no chart library in the app). Each is an image with a
 * text alternative (`aria-label`) summarising it; the exact figures are always in the table next
 * to it, which is what screen readers and copy-paste use. Geometry uses Number(); the labels are
 * the exact strings the caller formats.
 */
export const SERIES_COLORS = ['var(--mantine-color-teal-7)', 'var(--mantine-color-yellow-6)', 'var(--mantine-color-orange-6)', 'var(--mantine-color-red-7)', 'var(--mantine-color-grape-8)'];

export function Legend({ items }: { items: Array<{ label: string; color: string; value?: string }> }) {
  return (
    <Group gap="md" wrap="wrap" aria-hidden="true">
      {items.map((i) => (
        <Group key={i.label} gap={6} wrap="nowrap">
          <span style={{ width: 12, height: 12, borderRadius: 2, background: i.color, display: 'inline-block' }} />
          <Text size="xs">{i.label}{i.value ? ` ${i.value}` : ''}</Text>
        </Group>
      ))}
    </Group>
  );
}

/** One horizontal bar split into segments (aging buckets). */
export function StackedBar({ label, segments }: { label: string; segments: Array<{ label: string; value: number; color: string; text: string }> }) {
  const total = segments.reduce((s, x) => s + Math.max(0, x.value), 0);
  let x = 0;
  return (
    <svg role="img" aria-label={label} viewBox="0 0 100 8" preserveAspectRatio="none" width="100%" height="28" style={{ display: 'block' }}>
      <rect x="0" y="0" width="100" height="8" fill="var(--mantine-color-gray-1)" />
      {total > 0 && segments.map((s) => {
        const w = (Math.max(0, s.value) / total) * 100;
        const rect = <rect key={s.label} x={x} y="0" width={w} height="8" fill={s.color}><title>{`${s.label}: ${s.text}`}</title></rect>;
        x += w;
        return rect;
      })}
    </svg>
  );
}

const W = 640;
const H = 200;
const PAD = { left: 8, right: 8, top: 12, bottom: 28 };

/** Vertical bars (cash per period); negative values hang below the zero line. */
export function ColumnChart({ label, points, color = 'var(--mantine-color-indigo-6)' }: { label: string; points: Array<{ label: string; value: number; text: string }>; color?: string }) {
  const max = Math.max(0, ...points.map((p) => p.value));
  const min = Math.min(0, ...points.map((p) => p.value));
  const span = max - min || 1;
  const innerH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + ((max - v) / span) * innerH;
  const step = (W - PAD.left - PAD.right) / Math.max(1, points.length);
  const every = Math.ceil(points.length / 12);
  return (
    <svg role="img" aria-label={label} viewBox={`0 0 ${W} ${H}`} width="100%" style={{ display: 'block', maxHeight: 240 }}>
      <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} stroke="var(--mantine-color-gray-5)" strokeWidth="1" />
      {points.map((p, i) => {
        const top = Math.min(y(p.value), y(0));
        const h = Math.max(p.value === 0 ? 0 : 1, Math.abs(y(p.value) - y(0)));
        return (
          <g key={p.label}>
            <rect x={PAD.left + i * step + step * 0.15} y={top} width={step * 0.7} height={h} fill={p.value < 0 ? 'var(--mantine-color-red-7)' : color}>
              <title>{`${p.label}: ${p.text}`}</title>
            </rect>
            {i % every === 0 && <text x={PAD.left + i * step + step / 2} y={H - 8} textAnchor="middle" fontSize="11" fill="var(--mantine-color-gray-8)">{p.label}</text>}
          </g>
        );
      })}
    </svg>
  );
}

/** A line per series over the same labels (DSO per month); null values break the line. */
export function LineChart({ label, labels, series, unit = '' }: { label: string; labels: string[]; series: Array<{ name: string; color: string; values: Array<number | null> }>; unit?: string }) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(1, ...all) * 1.1;
  const innerH = H - PAD.top - PAD.bottom;
  const left = 40;
  const step = (W - left - PAD.right) / Math.max(1, labels.length - 1);
  const x = (i: number) => left + (labels.length === 1 ? (W - left - PAD.right) / 2 : i * step);
  const y = (v: number) => PAD.top + (1 - v / max) * innerH;
  const ticks = [0, max / 2, max].map((t) => Math.round(t));
  const every = Math.ceil(labels.length / 12);
  return (
    <svg role="img" aria-label={label} viewBox={`0 0 ${W} ${H}`} width="100%" style={{ display: 'block', maxHeight: 240 }}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="var(--mantine-color-gray-3)" strokeWidth="1" />
          <text x={left - 4} y={y(t) + 4} textAnchor="end" fontSize="11" fill="var(--mantine-color-gray-8)">{t}{unit}</text>
        </g>
      ))}
      {labels.map((l, i) => (i % every === 0 ? <text key={l} x={x(i)} y={H - 8} textAnchor="middle" fontSize="11" fill="var(--mantine-color-gray-8)">{l}</text> : null))}
      {series.map((s) => {
        const segments: string[] = [];
        let current = '';
        s.values.forEach((v, i) => {
          if (v === null) {
            if (current) segments.push(current);
            current = '';
          } else current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        });
        if (current) segments.push(current);
        return (
          <g key={s.name}>
            {segments.map((d) => <path key={d} d={d} fill="none" stroke={s.color} strokeWidth="2.5" />)}
            {s.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r="3.5" fill={s.color}><title>{`${s.name}, ${labels[i]}: ${v}${unit}`}</title></circle>))}
          </g>
        );
      })}
    </svg>
  );
}
