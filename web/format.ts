import type { GroupResult } from '../functions/core/report/schema.ts';

/** Shown where a number is not available (hidden, or not computable). */
export const NONE = '—';

/**
 * Made once: `n.toLocaleString('en-US', options)` builds a new ICU formatter on every call
 * (~0.1 ms each, 13 ms of a cold publish), and is defined to format as these do.
 */
const WHOLE = new Intl.NumberFormat('en-US');
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A count with thousands separators; weighted counts keep one decimal. */
export function formatCount(n: number | null): string {
  if (n === null) return NONE;
  return Number.isInteger(n) ? WHOLE.format(n) : ONE_DECIMAL.format(n);
}

/**
 * The count cell of a group: `hidden` for every hidden group, small or hidden to protect a small
 * one, so the marker does not tell which is which.
 */
export function formatGroupCount(group: GroupResult): string {
  return group.status === 'suppressed' ? 'hidden' : formatCount(group.count);
}

export function formatShare(share: number | null): string {
  return share === null ? NONE : `${(share * 100).toFixed(1)} %`;
}

export function formatInterval(ci: readonly [number, number] | null): string {
  return ci === null ? NONE : `${(ci[0] * 100).toFixed(1)}–${(ci[1] * 100).toFixed(1)} %`;
}

export function formatRatio(ratio: number | null): string {
  return ratio === null ? NONE : ratio.toFixed(2);
}

export function formatNumber(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? NONE : value.toFixed(digits);
}

export function formatP(p: number | null): string {
  if (p === null) return NONE;
  if (p < 0.001) return '< 0.001';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}

/** `2024-05-01 12:00 UTC`; the input unchanged when it is not a date. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Bytes in B, kB, MB (powers of 1000). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Only http(s) URLs become links; anything else (javascript:, data:) is shown as text. */
export function safeExternalUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** A signed statistic such as DPL or CDD: `+0.028`, `−0.026` (a true minus sign), `0.000`. */
export function formatSigned(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return NONE;
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return value < 0 ? `−${text}` : `+${text}`;
}

/** A count the published copy hides without saying why (positives, source cells): `hidden`. */
export function formatHiddenCount(n: number | null): string {
  return n === null ? 'hidden' : formatCount(n);
}

/** Names in running text: `a, b and c`. */
export function formatList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
