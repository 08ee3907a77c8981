/** Audit log entries for a table. Pure. */
import { formatDateTime, type DateFormatOptions } from '../exams/exam-schedule';

/** Longest details text shown in a cell; the full JSON is in the cell's title. */
export const MAX_DETAILS_CHARS = 160;

/**
 * Details as `key: value` pairs ("studentId: S-1 · created: 3"): strings as
 * they are, times (`…AtMs`) as dates, arrays and objects as compact JSON;
 * cut at {@link MAX_DETAILS_CHARS}.
 */
export function formatAuditDetails(details: unknown, dates: DateFormatOptions = {}): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object' || Array.isArray(details)) return clip(JSON.stringify(details));
  const value = (k: string, v: unknown) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && k.endsWith('AtMs')) return formatDateTime(v, dates);
    return JSON.stringify(v);
  };
  const parts = Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k.endsWith('AtMs') ? k.slice(0, -4) : k}: ${value(k, v)}`);
  return clip(parts.join(' · '));
}

/** "seat 3f2a…" style target: the type and the first 8 characters of a long id. */
export function formatAuditTarget(targetType: string | null, targetId: string | null): string {
  if (!targetType && !targetId) return '—';
  const id = targetId && targetId.length > 12 ? `${targetId.slice(0, 8)}…` : (targetId ?? '');
  return [targetType, id].filter(Boolean).join(' ');
}

function clip(s: string): string {
  return s.length > MAX_DETAILS_CHARS ? `${s.slice(0, MAX_DETAILS_CHARS - 1)}…` : s;
}
