import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterRenderEffect,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { EMPTY, Subscription, catchError, switchMap, forkJoin, of, type Observable } from 'rxjs';
import type { Exam, Seat, StreamStatsView } from '@vigil/api';
import { httpStatus } from '../core/http-error';
import { ProctorApi, type StreamDetails } from '../core/proctor-api';
import { ProctorConnection } from '../core/proctor-connection';
import { StreamsStore } from '../core/streams-store';
import { AuthService } from '../auth/auth.service';
import { NotFoundComponent } from '../shared/not-found.component';
import { formatAge, formatBitrate, formatDuration, formatFps, formatResolution, formatSeconds, formatWindow } from '../core/format';
import { pollWhileVisible } from '../core/poll-while-visible';
import { StatsApi } from '../core/stats-api';
import { MsePlayer, type PlayerSnapshot } from '../player/mse-player';
import { subscribeToStream, type PipelineResume } from '../player/media-pipeline';
import { discardEarlyPlayer, takeEarlyPlayer } from '../core/early-player';
import { StreamControlsComponent } from './stream-controls.component';
import { LiveFlagsComponent } from './live-flags.component';
import { ReviewPlayerComponent } from '../review/review-player.component';
import { parseWallClock } from '../review/wall-clock';

/** Global read by the e2e tests: a getter returning the current frozen {@link PlayerSnapshot}. */
const SNAPSHOT_GLOBAL = '__vigilPlayer';
/** The stream controls' chunk loads after the first frame, or after this long without one, ms. */
const CONTROLS_AFTER_MS = 2000;
/** How often the server's figures of the stream are asked for while the tab is visible, ms. */
const SERVER_STATS_MS = 5000;
/** "Back 20 s": how far before the frame on screen the review player starts, ms. */
export const BACK_MS = 20_000;

/** What the page knows about the stream's exam and seat (for the title and the way back). */
interface StreamContext {
  details: StreamDetails;
  exam: Exam | null;
  seat: Seat | null;
}

/**
 * `/streams/:streamId`: one stream, live. Subscribes over the shared proctor
 * WebSocket and feeds the media pipeline into an {@link MsePlayer}.
 * `GET /api/streams/:streamId` names its exam and seat; a 404 (no such
 * stream, ended, or another exam's) shows "not found" instead of the player.
 *
 * "Flag" and "Note" (hotkeys F and N) put a proctor's flag or note on the stream's event
 * track at the capture time of the frame on screen ({@link LiveFlagsComponent}).
 *
 * "Back 20 s" turns the same page into the review player of the stream's recording
 * (history from disk: the server writes what it receives), starting 20 s before the
 * capture time of the frame on screen; the URL gets `?at=<ms>`, so Back and reload keep
 * it. "Live" drops `at` again and the live player joins at the live edge.
 */
@Component({
  selector: 'vigil-live-view',
  imports: [RouterLink, NotFoundComponent, MatButtonModule, StreamControlsComponent, ReviewPlayerComponent, LiveFlagsComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (notFound()) {
      <vigil-not-found
        title="Stream not found"
        detail="This stream does not exist, has ended, or belongs to an exam you are not assigned to."
      />
    } @else {
    <nav class="crumbs">
      <a routerLink="/exams">{{ auth.isAdmin() ? 'All exams' : 'My exams' }}</a> ›
      @if (examId(); as examId) {
        <a [routerLink]="['/exams', examId]" data-testid="back-to-exam">{{ context()?.exam?.name ?? 'Exam' }}</a> ›
      }
    </nav>
    <h1>
      @if (context()?.seat; as seat) {
        {{ seat.displayName }} <span class="muted">· {{ seat.studentId }}</span>
      } @else {
        {{ summary()?.examId ?? 'Stream' }} <span class="muted">· seat {{ summary()?.seatId ?? streamId() }}</span>
      }
      <span class="badge" [attr.data-state]="summary()?.state ?? 'unknown'" data-testid="stream-state">{{ summary()?.state ?? 'unknown' }}</span>
      @if (summary()?.storage === 'storage-failed') {
        <span class="badge" data-state="storage-failed" data-testid="storage-failed"
          title="Recording writes fail on the server: the stream is still live, the server retries, the student's computer keeps what is not saved yet">recording: storage failed</span>
      }
    </h1>
    @if (reviewAt(); as at) {
      <section class="card review" data-testid="review-mode">
        <!-- its own chunk: a live view opened to watch loads none of the review code -->
        @defer (on immediate) {
          <vigil-review-player [streamId]="streamId()" [startAt]="at" [autoplay]="true" [showLive]="true" (goLive)="backToLive()" />
        }
      </section>
    } @else {
    <div class="layout">
      <section class="stage card">
        <div class="screen">
          <video #video muted playsinline data-testid="video"></video>
          @if (overlay(); as text) {
            <div class="overlay">{{ text }}</div>
          }
        </div>
        <div class="controls">
          <button mat-flat-button type="button" (click)="goLive()" data-testid="go-live">Go live</button>
          <button mat-stroked-button type="button" (click)="togglePause()">{{ paused() ? 'Resume' : 'Pause' }}</button>
          <button mat-stroked-button type="button" (click)="back()" data-testid="back-20"
            title="Play the recording from 20 s before the frame on screen">Back 20 s</button>
          <vigil-live-flags [streamId]="streamId()" [frameAt]="frameOnScreen" [ready]="stats()?.shownCaptureMs != null" />
          <span class="spacer"></span>
          <a mat-button [routerLink]="['/recordings', streamId()]" data-testid="review-recording">Review recording</a>
        </div>
        <!-- its own chunk (dialog, snack bar, toggles), after the first frame: not on the way to the picture -->
        @defer (when controlsWanted()) {
          <vigil-stream-controls class="stream-controls" [streamId]="streamId()" [fps]="summary()?.fps ?? null"
            [live]="summary()?.state === 'live' && !ended()" [ended]="ended()"
            [admin]="auth.isAdmin()" />
        } @placeholder {
          <div class="stream-controls placeholder"></div>
        }
      </section>
      <aside class="card stats">
        <dl>
          <dt>Player</dt>
          <dd><span class="badge" [attr.data-state]="stats()?.state" data-testid="player-state">{{ stats()?.state ?? '—' }}</span></dd>
          <dt title="When the last frame reached this screen minus its capture time on the student's computer (prft): encode, upload, server, network, the player's buffer and decode. Both computers' clocks: their offset is included">Capture → screen</dt>
          <dd class="num big" data-testid="latency">{{ duration(stats()?.latencyMs) }}</dd>
          <dd class="num sub" data-testid="latency-recent" title="Capture → screen over the last live frames shown (not the join's replay): median and maximum">
            @if (stats()?.latencyMedianMs != null) { median {{ duration(stats()?.latencyMedianMs) }} · max {{ duration(stats()?.latencyMaxMs) }} }
          </dd>
          <dt title="When the last frame's bytes reached this portal minus its capture time (prft): encode, upload, server and network">Capture → portal</dt>
          <dd class="num" data-testid="capture-to-portal">{{ duration(stats()?.captureToPortalMs) }}</dd>
          <dt title="Server receive time minus capture time (prft), as the server measured it over the last minute: encode and upload (the clocks' offset included). Capture → portal minus this is roughly server → portal">Capture → server</dt>
          <dd class="num" data-testid="capture-to-server">{{ windowFigures(serverStats()?.fragmentAgeMs) }}</dd>
          <dt title="When the last frame reached the screen minus when its bytes reached this portal: the player's buffer and decode (this computer's clock only)">Portal → screen</dt>
          <dd class="num" data-testid="portal-to-screen">{{ duration(stats()?.portalToScreenMs) }}</dd>
          <dt title="Now minus the capture time of the picture on screen: also counts how long it has been shown, so it grows until the next frame arrives">Picture age</dt>
          <dd class="num" data-testid="picture-age">{{ duration(stats()?.frameAgeMs) }}</dd>
          <dt title="Capture time of the newest frame received minus that of the frame on screen (the media buffered ahead of the playhead, and the playback rate the live-edge controller set)">Behind live edge</dt>
          <dd class="num" data-testid="behind-live-edge">{{ duration(stats()?.behindLiveEdgeMs) }} · {{ seconds(stats()?.lag) }} buffered@if ((stats()?.playbackRate ?? 1) !== 1) { · ×{{ stats()?.playbackRate }} }</dd>
          <dt>Resolution</dt>
          <dd class="num" data-testid="resolution">{{ resolution(stats()?.width, stats()?.height) }}</dd>
          <dt>Frame rate</dt>
          <dd class="num" data-testid="fps">{{ fps(stats()?.fps) }}</dd>
          <dt>Bitrate</dt>
          <dd class="num">{{ bitrate(summary()?.bitrateBps) }}</dd>
          <dt>Codec</dt>
          <dd class="num">{{ stats()?.codec ?? '—' }}</dd>
          <dt title="Fragments appended to the SourceBuffer / not appended">Fragments</dt>
          <dd class="num">{{ stats()?.appended ?? 0 }} · {{ stats()?.dropped ?? 0 }} dropped</dd>
          <dt title="The player's creation → its first frame on screen (a page opened at this address subscribed to the stream while it loaded, so this can be shorter than a join)">Player start → first frame</dt>
          <dd class="num">{{ duration(stats()?.startupMs) }}</dd>
          <dt>Last fragment</dt>
          <dd class="num">{{ age(summary()?.lastFragmentAtMs, store.now()) }}</dd>
          <dt>Viewers</dt>
          <dd class="num">{{ summary()?.viewers ?? '—' }}</dd>
        </dl>
        @if (errors().length > 0) {
          <h2>Events</h2>
          <ul class="errors">
            @for (e of errors(); track $index) {
              <li [class.fatal]="e.fatal"><code>{{ e.details }}</code> {{ e.message }}</li>
            }
          </ul>
        }
      </aside>
    </div>
    }
    }
  `,
  styles: `
    .crumbs { margin-bottom: 0.5rem; font-size: 0.9rem; }
    h1 { display: flex; align-items: center; gap: 0.6rem; }
    h2 { font-size: 0.8rem; text-transform: uppercase; color: var(--muted); margin: 1rem 0 0.4rem; }
    .layout { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 1rem; align-items: start; }
    @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
    .stage { position: relative; overflow: hidden; }
    video { display: block; width: 100%; aspect-ratio: 16 / 9; background: #000; object-fit: contain; }
    .screen { position: relative; }
    .overlay { position: absolute; inset: 0; display: grid; place-items: center; color: #fff; font-size: 1.05rem;
      background: rgb(0 0 0 / 45%); }
    .controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; padding: 0.6rem; border-top: 1px solid var(--border); }
    .stream-controls { display: block; padding: 0 0.6rem 0.6rem; }
    .placeholder { min-height: 36px; }
    .review { padding: 0.8rem; }
    .crumbs a { margin: 0 0.15rem; }
    .stats { padding: 0.9rem 1rem; font-size: 0.9rem; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 0.35rem 0.9rem; margin: 0; }
    dt { color: var(--muted); white-space: nowrap; }
    dd { margin: 0; text-align: right; white-space: nowrap; }
    .big { font-size: 1.15rem; font-weight: 650; }
    .sub { grid-column: 1 / -1; margin-top: -0.3rem; font-size: 0.78rem; color: var(--muted); min-height: 1em; }
    .errors { margin: 0; padding-left: 1rem; font-size: 0.8rem; color: var(--muted); max-height: 12rem; overflow: auto; }
    .errors .fatal { color: var(--bad); }
  `,
})
export class LiveViewComponent {
  /** Route parameter `:streamId` (router input binding). */
  readonly streamId = input.required<string>();
  /** Query parameter `at`: set by "Back 20 s", the wall-clock time (ms since the Unix epoch) the review player starts at. */
  readonly at = input<string | undefined>(undefined);

  protected readonly store = inject(StreamsStore);
  protected readonly auth = inject(AuthService);
  private readonly connection = inject(ProctorConnection);
  private readonly api = inject(ProctorApi);
  private readonly statsApi = inject(StatsApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly video = viewChild<ElementRef<HTMLVideoElement>>('video');

  protected readonly stats = signal<PlayerSnapshot | null>(null);
  /** The server's figures of this stream (`GET /api/streams/:id/stats`), live mode only. */
  protected readonly serverStats = signal<StreamStatsView | null>(null);
  protected readonly paused = signal(false);
  protected readonly notFound = signal(false);
  protected readonly context = signal<StreamContext | null>(null);
  /** Review mode: where the review player starts (wall clock, ms), or null in live mode. */
  protected readonly reviewAt = computed(() => {
    const at = this.at();
    return at ? parseWallClock(at, Date.now()) : null;
  });
  private readonly live = this.store.byId(() => this.streamId());
  /** The socket's summary (updated live), else the one fetched over HTTP. */
  protected readonly summary = computed(() => this.live() ?? this.context()?.details ?? null);
  protected readonly examId = computed(() => this.summary()?.examId ?? null);
  protected readonly errors = computed(() => [...(this.stats()?.errors ?? [])].reverse().slice(0, 8));
  /** The relay or the player says the stream has ended. */
  protected readonly ended = computed(() => this.summary()?.state === 'ended' || this.stats()?.state === 'ended');
  /** The stream controls load once the first frame is on screen (or after {@link CONTROLS_AFTER_MS} anyway). */
  private readonly controlsDue = signal(false);
  protected readonly controlsWanted = computed(() => this.controlsDue() || this.stats()?.startupMs != null || this.ended());
  protected readonly overlay = computed(() => {
    const state = this.stats()?.state;
    if (this.ended()) return 'The stream has ended.';
    if (state === 'connecting') return this.connection.status() === 'open' ? 'Waiting for the stream…' : 'Connecting…';
    if (state === 'buffering') return 'Starting…';
    if (state === 'error') return 'Playback failed: see the events on the right.';
    return null;
  });

  protected readonly duration = formatDuration;
  protected readonly resolution = formatResolution;
  protected readonly fps = formatFps;
  protected readonly bitrate = formatBitrate;
  protected readonly seconds = formatSeconds;
  protected readonly age = formatAge;
  protected readonly windowFigures = formatWindow;
  /** Capture time (`prft`) of the frame on screen now, ms since the Unix epoch, read from the player when asked; null before the first frame. */
  protected readonly frameOnScreen = (): number | null => this.player?.snapshot().shownCaptureMs ?? null;

  private player: MsePlayer | null = null;
  private playerFor: string | null = null;
  private playerVideo: HTMLVideoElement | null = null;
  /** The early player's `<video>`, in the template element's place while its player plays. */
  private adoptedVideo: HTMLVideoElement | null = null;
  private subscription: Subscription | null = null;
  private lookup: Subscription | null = null;
  private serverPoll: Subscription | null = null;

  constructor() {
    // (Re)start when the view exists and whenever the route's streamId changes;
    // the video element is gone while "not found" is shown.
    afterRenderEffect(() => {
      const id = this.streamId();
      const el = this.video()?.nativeElement;
      untracked(() => {
        if (el) return this.start(id, el);
        discardEarlyPlayer(); // "not found", or the review: no live picture here
        this.stop();
      });
    });
    // Look the stream up (not found? which exam and seat?) in parallel with subscribing.
    afterRenderEffect(() => {
      const id = this.streamId();
      untracked(() => this.lookUp(id));
    });
    // The server's figures every 5 s while the tab is visible, starting after the first picture's way is clear.
    effect(() => {
      const id = this.streamId();
      const live = this.reviewAt() === null;
      untracked(() => {
        this.serverPoll?.unsubscribe();
        this.serverPoll = null;
        this.serverStats.set(null);
        if (!live) return;
        const poll = pollWhileVisible(
          () =>
            this.statsApi.stream(id).pipe(
              catchError((err: unknown) => {
                if (httpStatus(err) === 404) queueMicrotask(() => poll.unsubscribe()); // the relay no longer holds it
                return EMPTY;
              }),
            ),
          SERVER_STATS_MS,
          1500,
        ).subscribe((s) => this.serverStats.set(s));
        this.serverPoll = poll;
      });
    });
    const controlsTimer = setTimeout(() => this.controlsDue.set(true), CONTROLS_AFTER_MS);
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(controlsTimer);
      this.serverPoll?.unsubscribe();
      this.lookup?.unsubscribe();
      this.stop();
    });
  }

  protected goLive(): void {
    this.paused.set(false);
    this.player?.goLive();
  }

  /** "Back 20 s": the review player from 20 s before the capture time of the frame on screen (else now − 20 s). */
  protected back(): void {
    const age = this.stats()?.frameAgeMs;
    const shownAt = Date.now() - (age ?? 0);
    void this.router.navigate([], { relativeTo: this.route, queryParams: { at: Math.round(shownAt - BACK_MS) }, queryParamsHandling: 'merge' });
  }

  /** "Live": back to the live player at the live edge. */
  protected backToLive(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { at: null }, queryParamsHandling: 'merge' });
  }

  protected togglePause(): void {
    const paused = !this.paused();
    this.paused.set(paused);
    this.player?.setPaused(paused);
  }

  private lookUp(streamId: string): void {
    this.lookup?.unsubscribe();
    this.notFound.set(false);
    this.context.set(null);
    const optional = <T>(o: Observable<T>) => o.pipe(catchError(() => of(null)));
    this.lookup = this.api
      .stream(streamId)
      .pipe(
        catchError((err: unknown) => {
          if (httpStatus(err) === 404) this.notFound.set(true);
          return EMPTY;
        }),
        switchMap((details) =>
          forkJoin({
            details: of(details),
            exam: optional(this.api.exam(details.examId)),
            seat: optional(this.api.seat(details.examId, details.seatId)),
          }),
        ),
      )
      .subscribe((ctx) => this.context.set(ctx));
  }

  /**
   * Plays `streamId` in `video` (the template's element): adopts the player main.ts started
   * before Angular for this address when there is one (core/early-player.ts), its `<video>`
   * taking the template element's place, else starts a new one.
   */
  private start(streamId: string, video: HTMLVideoElement): void {
    if (this.player && this.playerFor === streamId && this.playerVideo === video) return;
    this.stop();
    const hooks = { onSnapshot: (s: PlayerSnapshot) => this.stats.set(s), onRecover: () => this.subscribe(streamId) };
    const early = takeEarlyPlayer(streamId, hooks);
    let player: MsePlayer;
    if (early) {
      // its attributes too: the component's style scope and the test ids
      for (const a of Array.from(video.attributes)) early.video.setAttribute(a.name, a.value);
      video.replaceWith(early.video);
      this.adoptedVideo = early.video;
      player = early.player;
    } else {
      player = new MsePlayer(video, hooks);
    }
    this.player = player;
    this.playerFor = streamId;
    this.playerVideo = video;
    this.paused.set(false);
    Object.defineProperty(window, SNAPSHOT_GLOBAL, { configurable: true, get: () => player.snapshot() });
    if (early && early.resume === null) this.connection.claimEarly(streamId); // its subscription cannot be continued: a fresh one
    this.subscribe(streamId, early?.resume ?? undefined);
  }

  /** @param resume where the early player's pipeline stopped (its first subscription only) */
  private subscribe(streamId: string, resume?: PipelineResume): void {
    this.subscription?.unsubscribe();
    const player = this.player;
    if (!player) return;
    this.subscription = subscribeToStream(this.connection, streamId, 'focus', resume).subscribe((ev) => player.handle(ev));
  }

  private stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.player?.destroy();
    this.player = null;
    this.playerFor = null;
    // an adopted early <video> gives the template's element its place back
    if (this.adoptedVideo && this.playerVideo) this.adoptedVideo.replaceWith(this.playerVideo);
    this.adoptedVideo = null;
    this.playerVideo = null;
    delete (window as unknown as Record<string, unknown>)[SNAPSHOT_GLOBAL];
  }
}
