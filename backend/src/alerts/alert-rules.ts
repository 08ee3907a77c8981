/**
 * Which streams need a proctor's attention now (pure; issue 11 part 4). The server raises an
 * alert when a condition starts and clears it when it ends ({@link AlertBook}); a proctor
 * acknowledges it with a note.
 *
 * Conditions, from the relay's stream summaries:
 * - `disconnected`: the Sentinel has been gone longer than `disconnectedAfterMs` (the stream
 *   waits for it: a network cut, a closed laptop, a student who left);
 * - `storage-failed`: the recording cannot be written (evidence at risk);
 * - `clock-skew`: for a whole minute every fragment arrived with a capture time (`prft`) far from
 *   the server's clock (the kiosk's clock is wrong: recorded wall-clock times would be too).
 *   A backlog drained for longer than a minute after an outage looks the same; the alert then
 *   clears as soon as live fragments arrive.
 *
 * And, from what the Sentinel reported (`event` messages, tracked per stream by
 * `stream-events/sentinel-conditions.ts`), while the stream is live:
 * - `capture-stopped`: screen sharing ended or the capture track is muted, for longer than
 *   `captureStoppedAfterMs` (a screen being re-shared is not an alert);
 * - `screen-blank` / `screen-frozen`: the picture has been one flat colour / unchanged for
 *   `blankAfterMs` / `frozenAfterMs` (counted from when the Sentinel saw it start);
 * - `screen-changed`: the screen's size or number of screens changed; holds for
 *   `screenChangeHoldMs` after the change, then clears.
 */
import type { AlertView } from '@vigil/api';

export type AlertKind = AlertView['kind'];

/** What the rules read of a stream (a subset of its summary and statistics). */
export interface AlertInput {
  streamId: string;
  examId: string;
  seatId: string;
  state: 'live' | 'disconnected' | 'ended';
  /** Last fragment or, before any, the stream's start, ms since the Unix epoch. */
  lastSeenAtMs: number;
  storage: 'ok' | 'storage-failed';
  /** Smallest and largest age of fragments at arrival over the last minute (server clock − capture clock), ms, or null without fragments. */
  fragmentAgeMinMs: number | null;
  fragmentAgeMaxMs: number | null;
  /** What the Sentinel reported (absent: nothing yet). */
  sentinel?: SentinelConditions;
}

/**
 * The conditions a stream's Sentinel reported, on the server clock (ms since the Unix epoch):
 * each holds since the time given, or is null.
 */
export interface SentinelConditions {
  /** Screen sharing is off (`ended`: the student stopped it; `muted`: the track delivers nothing) since `sinceMs`. */
  capture: { state: 'ended' | 'muted'; sinceMs: number } | null;
  /** The picture is one flat colour since `sinceMs`; `luma`: its brightness, 0..255, when known. */
  blank: { sinceMs: number; luma: number | null } | null;
  /** The picture is unchanged since `sinceMs`. */
  frozen: { sinceMs: number } | null;
  /** The last change of the screen's size or number of screens, at `atMs`, described for the proctor. */
  screenChange: { atMs: number; detail: string } | null;
}

/** Thresholds of the rules. */
export interface AlertThresholds {
  /** Default 30 s. */
  disconnectedAfterMs: number;
  /** Largest |capture clock − server clock| tolerated, ms. Default 60 s (a backlog being drained is younger). */
  clockSkewMs: number;
  /** Screen sharing off this long raises `capture-stopped`, ms. Default 5 s. */
  captureStoppedAfterMs: number;
  /** A blank picture this long raises `screen-blank`, ms. Default 10 s (`VIGIL_ALERT_BLANK_SECONDS`). */
  blankAfterMs: number;
  /** An unchanged picture this long raises `screen-frozen`, ms. Default 120 s (`VIGIL_ALERT_FROZEN_SECONDS`). */
  frozenAfterMs: number;
  /** How long `screen-changed` holds after a change, ms. Default 60 s. */
  screenChangeHoldMs: number;
}

/** Defaults of {@link AlertThresholds}. */
export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  disconnectedAfterMs: 30_000,
  clockSkewMs: 60_000,
  captureStoppedAfterMs: 5_000,
  blankAfterMs: 10_000,
  frozenAfterMs: 120_000,
  screenChangeHoldMs: 60_000,
};

/** One condition that holds now. */
export interface AlertCondition {
  kind: AlertKind;
  streamId: string;
  examId: string;
  seatId: string;
  /** Human-readable detail for the proctor. */
  detail: string;
}

/** The conditions that hold for `streams` at `nowMs`. */
export function alertConditions(streams: readonly AlertInput[], nowMs: number, t: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const s of streams) {
    if (s.state === 'ended') continue;
    const who = { streamId: s.streamId, examId: s.examId, seatId: s.seatId };
    const goneMs = nowMs - s.lastSeenAtMs;
    if (s.state === 'disconnected' && goneMs > t.disconnectedAfterMs) {
      out.push({ ...who, kind: 'disconnected', detail: `no Sentinel for ${Math.round(goneMs / 1000)} s` });
    }
    if (s.storage === 'storage-failed') out.push({ ...who, kind: 'storage-failed', detail: 'the recording cannot be written; the server retries' });
    const min = s.fragmentAgeMinMs;
    const max = s.fragmentAgeMaxMs;
    if (s.state === 'live' && min !== null && max !== null && (min > t.clockSkewMs || max < -t.clockSkewMs)) {
      const off = min > t.clockSkewMs ? min : max;
      out.push({ ...who, kind: 'clock-skew', detail: `the kiosk clock is ${Math.round(Math.abs(off) / 1000)} s ${off > 0 ? 'behind' : 'ahead of'} the server's` });
    }
    if (s.state === 'live' && s.sentinel) out.push(...sentinelAlerts(who, s.sentinel, nowMs, t));
  }
  return out;
}

/** The conditions from what a live stream's Sentinel reported. */
function sentinelAlerts(who: Pick<AlertCondition, 'streamId' | 'examId' | 'seatId'>, c: SentinelConditions, nowMs: number, t: AlertThresholds): AlertCondition[] {
  const out: AlertCondition[] = [];
  const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
  if (c.capture && nowMs - c.capture.sinceMs >= t.captureStoppedAfterMs) {
    const what = c.capture.state === 'ended' ? 'screen sharing stopped' : 'screen capture delivers no picture (muted: screen locked or asleep?)';
    out.push({ ...who, kind: 'capture-stopped', detail: `${what} ${seconds(nowMs - c.capture.sinceMs)} s ago` });
  }
  if (c.blank && nowMs - c.blank.sinceMs >= t.blankAfterMs) {
    const tone = c.blank.luma === null ? '' : c.blank.luma < 24 ? ' (black)' : c.blank.luma > 232 ? ' (white)' : '';
    out.push({ ...who, kind: 'screen-blank', detail: `the screen has been blank${tone} for ${seconds(nowMs - c.blank.sinceMs)} s` });
  }
  if (c.frozen && !c.blank && nowMs - c.frozen.sinceMs >= t.frozenAfterMs) {
    out.push({ ...who, kind: 'screen-frozen', detail: `the screen has not changed for ${seconds(nowMs - c.frozen.sinceMs)} s` });
  }
  if (c.screenChange && nowMs - c.screenChange.atMs < t.screenChangeHoldMs) {
    out.push({ ...who, kind: 'screen-changed', detail: c.screenChange.detail });
  }
  return out;
}

/** An alert: a condition from when it started, until it cleared and was acknowledged (the API's `AlertView`). */
export type Alert = AlertView;

/**
 * Open and recent alerts (pure, no timers): {@link update} with the conditions of each check
 * raises new alerts and clears ended ones; {@link acknowledge} records a proctor's note. Keeps
 * at most `capacity` alerts, dropping the oldest acknowledged-and-cleared ones first.
 */
export class AlertBook {
  private readonly alerts = new Map<number, Alert>();
  private readonly openByKey = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly capacity = 5000) {}

  /**
   * Applies the conditions that hold at `nowMs`.
   * @returns the alerts raised and cleared by this check
   */
  update(conditions: readonly AlertCondition[], nowMs: number): { raised: Alert[]; cleared: Alert[] } {
    const holding = new Set<string>();
    const raised: Alert[] = [];
    for (const c of conditions) {
      const key = `${c.kind}\u0000${c.streamId}`;
      holding.add(key);
      const open = this.openByKey.get(key);
      if (open !== undefined) {
        this.alerts.get(open)!.detail = c.detail;
        continue;
      }
      const alert: Alert = { id: this.nextId++, ...c, raisedAtMs: nowMs, clearedAtMs: null, ack: null };
      this.alerts.set(alert.id, alert);
      this.openByKey.set(key, alert.id);
      raised.push(alert);
    }
    const cleared: Alert[] = [];
    for (const [key, id] of this.openByKey) {
      if (holding.has(key)) continue;
      const alert = this.alerts.get(id)!;
      alert.clearedAtMs = nowMs;
      this.openByKey.delete(key);
      cleared.push(alert);
    }
    this.trim();
    return { raised, cleared };
  }

  /**
   * Records a proctor's acknowledgement.
   * @returns the alert, or null when there is none with that id
   * @throws RangeError when it was acknowledged already
   */
  acknowledge(id: number, by: string, note: string, nowMs: number): Alert | null {
    const alert = this.alerts.get(id);
    if (!alert) return null;
    if (alert.ack) throw new RangeError(`alert ${id} was acknowledged by ${alert.ack.by} already`);
    alert.ack = { by, atMs: nowMs, note };
    return alert;
  }

  get(id: number): Alert | null {
    return this.alerts.get(id) ?? null;
  }

  /** The alerts of the given exams, newest first; `open` ones: not yet acknowledged. */
  list(examIds: ReadonlySet<string> | 'all', onlyOpen = false): Alert[] {
    return [...this.alerts.values()]
      .filter((a) => (examIds === 'all' || examIds.has(a.examId)) && (!onlyOpen || a.ack === null))
      .sort((a, b) => b.id - a.id);
  }

  private trim(): void {
    if (this.alerts.size <= this.capacity) return;
    const done = [...this.alerts.values()].filter((a) => a.ack !== null && a.clearedAtMs !== null).sort((a, b) => a.id - b.id);
    const others = [...this.alerts.values()].filter((a) => !(a.ack !== null && a.clearedAtMs !== null) && a.clearedAtMs !== null).sort((a, b) => a.id - b.id);
    for (const a of [...done, ...others]) {
      if (this.alerts.size <= this.capacity) break;
      this.alerts.delete(a.id);
    }
  }
}
