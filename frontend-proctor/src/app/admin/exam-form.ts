/**
 * The exam form: `<input type="datetime-local">` values to epoch ms and back,
 * the server's field rules, and the PATCH body of an edit. Pure.
 */
import type { Exam } from '@vigil/api';

/** Frame-rate range of an exam (and of the relay's set-fps), frames per second. */
export const MIN_FPS = 0.2;
export const MAX_FPS = 5;
/** Retention range, days. */
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;
/** Longest exam name. */
export const MAX_EXAM_NAME = 200;

/** The form's raw values. */
export interface ExamFormValue {
  name: string;
  /** `YYYY-MM-DDTHH:mm` in the browser's time zone. */
  startsLocal: string;
  endsLocal: string;
  defaultFps: number | null;
  retentionDays: number | null;
}

/** Body of `POST /api/exams`. */
export interface ExamBody {
  name: string;
  startsAtMs: number;
  endsAtMs: number;
  defaultFps: number;
  retentionDays: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms → `YYYY-MM-DDTHH:mm` in the browser's time zone (seconds dropped). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `YYYY-MM-DDTHH:mm[:ss]` in the browser's time zone → epoch ms; null when it is not such a value. */
export function fromLocalInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s);
  // Reject 2026-02-31 and the like (Date rolls them over).
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date.getTime();
}

/** Default values of a new exam: starting at the next full hour, two hours long, 1 fps, 30 days. */
export function newExamDefaults(nowMs: number): ExamFormValue {
  const start = new Date(nowMs);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  return {
    name: '',
    startsLocal: toLocalInput(start.getTime()),
    endsLocal: toLocalInput(start.getTime() + 2 * 3_600_000),
    defaultFps: 1,
    retentionDays: 30,
  };
}

/** The form values of an existing exam. */
export function examToForm(exam: Exam): ExamFormValue {
  return {
    name: exam.name,
    startsLocal: toLocalInput(exam.startsAtMs),
    endsLocal: toLocalInput(exam.endsAtMs),
    defaultFps: exam.defaultFps,
    retentionDays: exam.retentionDays,
  };
}

/** Problems by field (`name`, `startsLocal`, `endsLocal`, `defaultFps`, `retentionDays`); empty when valid. */
export function examFormProblems(v: ExamFormValue): Partial<Record<keyof ExamFormValue, string>> {
  const out: Partial<Record<keyof ExamFormValue, string>> = {};
  const name = v.name.trim();
  if (name.length === 0) out.name = 'Give the exam a name.';
  else if (name.length > MAX_EXAM_NAME) out.name = `At most ${MAX_EXAM_NAME} characters.`;
  const start = fromLocalInput(v.startsLocal);
  const end = fromLocalInput(v.endsLocal);
  if (start === null) out.startsLocal = 'Enter a date and time.';
  if (end === null) out.endsLocal = 'Enter a date and time.';
  else if (start !== null && end <= start) out.endsLocal = 'The exam must end after it starts.';
  if (v.defaultFps === null || !Number.isFinite(v.defaultFps)) out.defaultFps = 'Enter a frame rate.';
  else if (v.defaultFps < MIN_FPS || v.defaultFps > MAX_FPS) out.defaultFps = `Between ${MIN_FPS} and ${MAX_FPS} fps.`;
  if (v.retentionDays === null || !Number.isInteger(v.retentionDays)) out.retentionDays = 'Enter a whole number of days.';
  else if (v.retentionDays < MIN_RETENTION_DAYS || v.retentionDays > MAX_RETENTION_DAYS) {
    out.retentionDays = `Between ${MIN_RETENTION_DAYS} and ${MAX_RETENTION_DAYS} days.`;
  }
  return out;
}

/**
 * The request body for valid form values.
 * @throws TypeError when the values are not valid (check {@link examFormProblems} first)
 */
export function examBody(v: ExamFormValue): ExamBody {
  const problems = examFormProblems(v);
  const first = Object.entries(problems)[0];
  if (first) throw new TypeError(`${first[0]}: ${first[1]}`);
  return {
    name: v.name.trim(),
    startsAtMs: fromLocalInput(v.startsLocal)!,
    endsAtMs: fromLocalInput(v.endsLocal)!,
    defaultFps: v.defaultFps!,
    retentionDays: v.retentionDays!,
  };
}

/**
 * The fields of `body` that differ from `exam`, for `PATCH /api/exams/:examId`.
 * Times compare by the minute, as the form shows them, so an untouched field
 * never moves an exam by its seconds.
 */
export function examPatch(exam: Exam, body: ExamBody): Partial<ExamBody> {
  const patch: Partial<ExamBody> = {};
  if (body.name !== exam.name) patch.name = body.name;
  if (toLocalInput(body.startsAtMs) !== toLocalInput(exam.startsAtMs)) patch.startsAtMs = body.startsAtMs;
  if (toLocalInput(body.endsAtMs) !== toLocalInput(exam.endsAtMs)) patch.endsAtMs = body.endsAtMs;
  if (body.defaultFps !== exam.defaultFps) patch.defaultFps = body.defaultFps;
  if (body.retentionDays !== exam.retentionDays) patch.retentionDays = body.retentionDays;
  return patch;
}
