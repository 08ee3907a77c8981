import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatSnackBar } from '@angular/material/snack-bar';
import { firstValueFrom } from 'rxjs';
import type { StreamEventSource, StreamEventView } from '@vigil/api';
import { AuthService } from '../auth/auth.service';
import { ProctorApi } from '../core/proctor-api';
import { describeHttpError } from '../core/http-error';
import { EVENT_SOURCES, filterEvents, layoutMarkers } from './event-track';
import { EventTrackApi } from './event-track-api';
import { EventTrackComponent, type ProctorEventRequest } from './event-track.component';
import { EventTrackLoader } from './event-track-loader';
import { httpRecordingSource } from './http-recording-source';
import { RecordingTimelineComponent, type TimeSelection } from './recording-timeline.component';
import { REVIEW_RATES, ReviewPlayer, type ReviewSnapshot } from './review-player';
import { exportParts, exportUrl, holeLabel, timelineView, type ExportPart, type TimelineView } from './timeline-layout';
import { pendingEvent, proctorEventBody } from './proctor-flags';
import { formatClock, formatDateTime, parseWallClock } from './wall-clock';

/** Global read by the e2e tests: a getter returning the current frozen {@link ReviewSnapshot}. */
const SNAPSHOT_GLOBAL = '__vigilReview';
/** A skipped gap is shown over the video this long, ms. */
const HOLE_BANNER_MS = 5000;

/**
 * The recording review player of one stream: the `<video>` fed by {@link ReviewPlayer}
 * (MSE over the recording's time-range routes), the timeline of the whole recording
 * ({@link RecordingTimelineComponent}), play/pause, speed 1×–16×, frame steps, "jump to"
 * a wall-clock time, the wall-clock time of the frame on screen, and for a selected range
 * "Download MP4" (`export.mp4`, one link per init segment) and "Copy share link".
 * With `eventTrack`: the stream's events as markers on the timeline and a list under it
 * (filter by source, click to seek), and the proctor's flags and notes on the frame on screen
 * (buttons, hotkeys F and N), shown at once and posted to the event track.
 * Used by the `/recordings/:streamId` page (with the event track) and inside the live view ("Back 20 s").
 */
@Component({
  selector: 'vigil-review-player',
  imports: [MatButtonModule, MatButtonToggleModule, RecordingTimelineComponent, EventTrackComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="screen">
      <video #video muted playsinline data-testid="review-video"></video>
      @if (overlay(); as text) {
        <div class="overlay" data-testid="review-overlay">{{ text }}</div>
      }
      @if (holeBanner(); as text) {
        <div class="banner" data-testid="gap-banner">{{ text }}</div>
      }
    </div>
    <div class="clock">
      <span class="badge" [attr.data-state]="snap()?.state" data-testid="review-state">{{ snap()?.state ?? 'loading' }}</span>
      <span class="time num" data-testid="playhead-time" [attr.data-ms]="snap()?.wallClockMs ?? null"
        title="Capture time of the frame on screen (prft)">{{ wallClock() }}</span>
      @if (snap()?.live) {
        <span class="badge" data-state="live">recording</span>
      }
      <span class="spacer"></span>
      @if (showLive() || snap()?.live) {
        <button mat-flat-button type="button" (click)="goLive.emit()" data-testid="review-live">Live</button>
      }
    </div>
    @if (view(); as v) {
      <vigil-recording-timeline [view]="v" [playheadMs]="snap()?.wallClockMs ?? null" [selection]="selection()"
        [markers]="markers().markers" [lanes]="markers().lanes" (seek)="seekTo($event)" (select)="selection.set($event)" />
    } @else {
      <p class="muted">{{ snap()?.state === 'empty' ? 'Nothing recorded yet.' : 'Loading the recording…' }}</p>
    }
    <div class="controls">
      <button mat-stroked-button type="button" (click)="player?.step(-1)" title="One frame back (pauses)" data-testid="step-back">◀︎ Frame</button>
      <button mat-flat-button type="button" (click)="togglePlay()" data-testid="play-pause">{{ playing() ? 'Pause' : 'Play' }}</button>
      <button mat-stroked-button type="button" (click)="player?.step(1)" title="One frame forward (pauses)" data-testid="step-forward">Frame ▶︎</button>
      <mat-button-toggle-group [value]="snap()?.rate ?? 1" (change)="setRate($event.value)" aria-label="Speed" data-testid="speed" hideSingleSelectionIndicator>
        @for (r of rates; track r) {
          <mat-button-toggle [value]="r" [attr.data-rate]="r">{{ r }}×</mat-button-toggle>
        }
      </mat-button-toggle-group>
      <form class="jump" (submit)="jump($event, jumpInput.value)">
        <input #jumpInput type="text" placeholder="hh:mm:ss" aria-label="Jump to a wall-clock time" data-testid="jump-input" />
        <button mat-stroked-button type="submit" data-testid="jump-go">Jump</button>
      </form>
      @if (jumpError(); as e) {
        <span class="error" role="alert">{{ e }}</span>
      }
    </div>
    <div class="controls range">
      <button mat-button type="button" (click)="mark('from')" data-testid="mark-start">Set start</button>
      <button mat-button type="button" (click)="mark('to')" data-testid="mark-end">Set end</button>
      @if (selection(); as s) {
        <span class="num" data-testid="selection">{{ clock(s.fromMs) }} – {{ clock(s.toMs) }} ({{ seconds(s) }} s)</span>
        <button mat-button type="button" (click)="selection.set(null)">Clear</button>
        @for (p of parts(); track p.fromMs; let i = $index) {
          <a mat-stroked-button [href]="url(p)" download data-testid="download-range">
            {{ parts().length > 1 ? 'Download part ' + (i + 1) + ' (' + p.width + '×' + p.height + ')' : 'Download MP4' }}</a>
        }
        <button mat-stroked-button type="button" (click)="share(s)" data-testid="share-range">Copy share link</button>
      } @else {
        <span class="muted">Select a range (Shift+drag on the timeline, or Set start / Set end) to download or share it.</span>
      }
    </div>
    @if (eventTrack()) {
      <vigil-event-track [events]="trackEvents()" [(shown)]="shownSources" [playheadMs]="snap()?.wallClockMs ?? null"
        [truncated]="trackTruncated()" [error]="trackError()" (seek)="seekTo($event)" (create)="createEvent($event)" />
    }
    @if (shareUrl(); as u) {
      <p class="share">Share link (valid until {{ shareUntil() }}): <input readonly [value]="u" data-testid="share-url" (focus)="$any($event.target).select()" /></p>
    }
  `,
  styles: `
    :host { display: block; }
    .screen { position: relative; background: #000; }
    video { display: block; width: 100%; aspect-ratio: 16 / 9; max-height: 62vh; object-fit: contain; }
    .overlay { position: absolute; inset: 0; display: grid; place-items: center; color: #fff; background: rgb(0 0 0 / 45%); }
    .banner { position: absolute; left: 0.75rem; right: 0.75rem; top: 0.75rem; padding: 0.4rem 0.7rem; border-radius: 6px;
      background: rgb(180 30 30 / 85%); color: #fff; font-size: 0.9rem; }
    .clock { display: flex; align-items: center; gap: 0.6rem; padding: 0.6rem 0; }
    .time { font-size: 1.3rem; font-weight: 650; }
    .controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; padding-top: 0.6rem; }
    .range { font-size: 0.9rem; }
    .jump { display: flex; gap: 0.4rem; align-items: center; }
    .jump input, .share input { font: inherit; padding: 0.45rem 0.6rem; border: 1px solid var(--border); border-radius: 6px;
      background: var(--surface); color: var(--text); }
    .jump input { width: 9.5rem; }
    .share { font-size: 0.85rem; margin: 0.5rem 0 0; }
    .share input { width: min(100%, 42rem); }
    .error { color: var(--bad); font-size: 0.85rem; }
  `,
})
export class ReviewPlayerComponent {
  readonly streamId = input.required<string>();
  /** Where to start, wall clock (ms since the Unix epoch); null: the start of the recording. */
  readonly startAt = input<number | null>(null);
  /** Start playing at once. */
  readonly autoplay = input(false);
  /** Always show the "Live" button (the live view's review mode); else only while the stream is live. */
  readonly showLive = input(false);
  /** Show the event track (markers, list, filter) and offer flags and notes (F, N). */
  readonly eventTrack = input(false);
  /** The "Live" button. */
  readonly goLive = output<void>();

  private readonly api = inject(ProctorApi);
  private readonly snackBar = inject(MatSnackBar);
  private readonly eventsApi = inject(EventTrackApi);
  private readonly auth = inject(AuthService);
  private readonly video = viewChild.required<ElementRef<HTMLVideoElement>>('video');

  protected readonly rates = REVIEW_RATES;
  protected readonly snap = signal<ReviewSnapshot | null>(null);
  protected readonly view = signal<TimelineView | null>(null);
  protected readonly selection = signal<TimeSelection | null>(null);
  protected readonly jumpError = signal<string | null>(null);
  protected readonly shareUrl = signal<string | null>(null);
  protected readonly shareUntil = signal('');
  private readonly now = signal(Date.now());
  protected readonly trackEvents = signal<readonly StreamEventView[]>([]);
  protected readonly trackTruncated = signal(false);
  protected readonly trackError = signal<string | null>(null);
  protected readonly shownSources = signal<ReadonlySet<StreamEventSource>>(new Set(EVENT_SOURCES));
  /** The shown events on the timeline's bar. */
  protected readonly markers = computed(() => {
    const v = this.view();
    return v ? layoutMarkers(filterEvents(this.trackEvents(), this.shownSources()), v.span) : { lanes: [], markers: [] };
  });
  protected readonly playing = computed(() => {
    const s = this.snap()?.state;
    return s === 'playing' || s === 'buffering' || s === 'live-edge';
  });
  protected readonly wallClock = computed(() => {
    const ms = this.snap()?.wallClockMs;
    return ms == null ? '—' : formatDateTime(ms);
  });
  protected readonly overlay = computed(() => {
    const s = this.snap();
    if (!s || s.state === 'loading') return 'Loading the recording…';
    if (s.state === 'empty') return 'Nothing recorded yet.';
    if (s.state === 'error') return `Playback failed: ${s.errors.at(-1)?.message ?? 'unknown error'}`;
    if (s.state === 'ended') return 'End of the recording.';
    return null;
  });
  protected readonly holeBanner = computed(() => {
    const h = this.snap()?.lastHole;
    return h && this.now() - h.atMs < HOLE_BANNER_MS ? `Skipped: ${holeLabel(h.hole)}` : null;
  });
  protected readonly parts = computed<ExportPart[]>(() => {
    const s = this.selection();
    this.view(); // the index may have grown
    return s && this.player ? exportParts(this.player.recording, this.player.fetchedFrames, s.fromMs, s.toMs) : [];
  });

  /** The player; null until the view exists. */
  protected player: ReviewPlayer | null = null;
  /** The event track of the player's stream (with `eventTrack`). */
  private loader: EventTrackLoader | null = null;
  private playerKey: string | null = null;
  private viewKey = '';

  constructor() {
    afterRenderEffect(() => {
      const id = this.streamId();
      const at = this.startAt();
      const el = this.video().nativeElement;
      untracked(() => this.start(id, at, el));
    });
    const clock = setInterval(() => {
      this.now.set(Date.now());
      this.updateTrack();
    }, 1000);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(clock);
      this.stop();
    });
  }

  protected clock(ms: number): string {
    return formatClock(ms, false);
  }

  protected seconds(s: TimeSelection): number {
    return Math.round((s.toMs - s.fromMs) / 1000);
  }

  protected url(p: ExportPart): string {
    return exportUrl(this.streamId(), p);
  }

  protected togglePlay(): void {
    if (!this.player) return;
    if (this.playing()) this.player.pause();
    else this.player.play();
  }

  protected setRate(rate: number): void {
    this.player?.setRate(rate);
  }

  protected seekTo(ms: number): void {
    this.player?.seekToWallClock(ms);
  }

  protected jump(ev: Event, text: string): void {
    ev.preventDefault();
    const span = this.snap()?.span;
    const ms = parseWallClock(text, span ? (span.fromMs + span.toMs) / 2 : Date.now());
    if (ms === null) {
      this.jumpError.set('Type a time like 14:02:33 or 2026-11-24 14:02:33');
      return;
    }
    this.jumpError.set(null);
    this.player?.seekToWallClock(ms);
  }

  /** Sets one end of the selection to the frame on screen. */
  protected mark(end: 'from' | 'to'): void {
    const at = this.player?.wallClockNow();
    if (at == null) return;
    const s = this.selection();
    const other = s ? (end === 'from' ? s.toMs : s.fromMs) : at;
    this.selection.set({ fromMs: Math.min(at, other), toMs: Math.max(at, other) });
  }

  /** `POST …/share` for the selection, then the link to the clipboard (and on the page, should the clipboard refuse). */
  protected async share(s: TimeSelection): Promise<void> {
    try {
      const link = await firstValueFrom(this.api.shareRecording(this.streamId(), s.fromMs, s.toMs));
      this.shareUrl.set(link.url);
      this.shareUntil.set(formatDateTime(link.expiresAtMs, false));
      let copied = false;
      try {
        await navigator.clipboard.writeText(link.url);
        copied = true;
      } catch {
        // no clipboard permission: the link is shown on the page
      }
      this.snackBar.open(copied ? 'Share link copied to the clipboard.' : 'The share link is below (the clipboard refused).', 'OK', { duration: 5000 });
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  /**
   * A flag or note on a moment: on the timeline at once (pending), posted to the event track,
   * then the stored event; taken off again when the server refuses it.
   */
  protected async createEvent(req: ProctorEventRequest): Promise<void> {
    const loader = this.loader;
    if (!loader) return;
    let body;
    try {
      body = proctorEventBody(req.kind, req.atMs, req.text);
    } catch (err) {
      this.snackBar.open(err instanceof Error ? err.message : String(err), 'OK', { duration: 5000 });
      return;
    }
    const pending = pendingEvent(body, this.auth.user()?.email);
    loader.addLocal(pending);
    try {
      const stored = await this.eventsApi.post(this.streamId(), body);
      loader.replaceLocal(pending, stored);
      this.snackBar.open(`${body.kind === 'flag' ? 'Flagged' : 'Note saved at'} ${formatClock(body.atMs, false)}.`, 'OK', { duration: 3000 });
    } catch (err) {
      loader.replaceLocal(pending, null);
      this.snackBar.open(`The ${body.kind} was not saved: ${describeHttpError(err)}`, 'OK', { duration: 8000 });
    }
  }

  private start(streamId: string, at: number | null, video: HTMLVideoElement): void {
    const key = `${streamId}|${at}`;
    if (this.player && this.playerKey === key) return;
    this.stop();
    this.selection.set(null);
    this.shareUrl.set(null);
    const player = new ReviewPlayer(video, {
      source: httpRecordingSource(this.api, streamId),
      onChange: (s) => this.onChange(player, s),
    });
    this.player = player;
    this.playerKey = key;
    if (this.eventTrack()) {
      const loader = new EventTrackLoader(
        (fromMs, toMs) => this.eventsApi.events(streamId, fromMs, toMs),
        (state) => {
          if (loader !== this.loader) return;
          this.trackEvents.set(state.events);
          this.trackTruncated.set(state.truncated);
          this.trackError.set(state.error);
        },
      );
      this.loader = loader;
    }
    Object.defineProperty(window, SNAPSHOT_GLOBAL, { configurable: true, get: () => player.snapshot() });
    void player.start(at ?? 'start', this.autoplay());
  }

  private onChange(player: ReviewPlayer, s: ReviewSnapshot): void {
    if (player !== this.player) return;
    this.snap.set(s);
    // the timeline is laid out again only when the recording or what is known of it changed
    const key = `${s.segments}|${s.gaps}|${s.span?.fromMs}|${Math.round((s.span?.toMs ?? 0) / 500)}|${s.live}`;
    if (key !== this.viewKey) {
      this.viewKey = key;
      this.view.set(timelineView(player.recording, player.fetchedFrames, s.live ? Date.now() : undefined));
    }
    this.updateTrack();
  }

  /** Fetches what is due of the event track for the timeline's span. */
  private updateTrack(): void {
    const s = this.snap();
    this.loader?.update(this.view()?.span ?? null, s?.live ?? false);
  }

  private stop(): void {
    this.player?.destroy();
    this.player = null;
    this.loader?.destroy();
    this.loader = null;
    this.trackEvents.set([]);
    this.trackTruncated.set(false);
    this.trackError.set(null);
    this.playerKey = null;
    this.viewKey = '';
    delete (window as unknown as Record<string, unknown>)[SNAPSHOT_GLOBAL];
  }
}
