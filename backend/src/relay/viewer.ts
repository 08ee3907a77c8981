import { FragmentUnit, InitUnit, MediaUnit } from './media-unit';
import { RelayTotals, ViewerStats, type Watcher } from '../stats/relay-stats';

/** The transport side of one viewer: a Proctor socket, seen through what the relay needs. */
export interface ViewerLink {
  /** Sends one binary message; the buffer is shared and must not be modified. */
  sendBinary(data: Uint8Array): void;
  /**
   * Sends a buffered unit again with the REPLAY flag set, without touching the shared buffer
   * (libs/protocol README: a fresh 16-byte header + the stored payload as one WebSocket message).
   */
  sendReplay(unit: MediaUnit): void;
  /** Bytes queued in the socket but not yet written to the network. */
  bufferedAmount(): number;
}

/** What a viewer is doing: waiting for a join fragment, following live, or skipping after falling behind. */
export type ViewerState = 'awaiting-join' | 'live' | 'skipping';

/** Join fragments a skipping viewer may miss in a row before it is unsubscribed as too slow. */
export const MAX_MISSED_JOINS = 3;

/** Who watches, and where statistics go (all optional). */
export interface ViewerOptions {
  /** The proctor behind the subscription (statistics). */
  watcher?: Watcher | null;
  /** Process-wide totals the viewer's statistics add to (default: its own). */
  totals?: RelayTotals;
  /** Server clock, ms since the Unix epoch (default Date.now). */
  clock?: () => number;
  /** How the proctor shows the stream: `focus` (default; raises the stream's frame rate) or `tile` (a wall). */
  view?: ViewerView;
}

/** How a viewer shows its stream (`subscribe.view`). */
export type ViewerView = 'focus' | 'tile';

/**
 * One subscription of one Proctor to one stream (pure: the socket is behind {@link ViewerLink}).
 *
 * Keeps a slow viewer from slowing others or growing server memory: when its
 * socket holds more than `maxBufferedBytes`, it drops fragments until a join
 * fragment arrives while the socket has drained below half of that, and resumes
 * there (DESIGN.md, Join flow step 5). After {@link MAX_MISSED_JOINS} join
 * fragments missed in a row it calls `onTooSlow` once.
 */
export class Viewer {
  private mode: ViewerState = 'awaiting-join';
  private sentInit: InitUnit | null = null;
  private missedJoins = 0;
  private gaveUp = false;
  /** Fragments skipped because the viewer was too slow. */
  skippedFragments = 0;
  /** Times the viewer fell behind and had to skip to a join fragment. */
  skips = 0;
  /** Delivery latency (capture → handed to the socket, live fragments) and skipped segments. */
  readonly stats: ViewerStats;
  /** How the proctor shows the stream (see {@link ViewerOptions.view}). */
  readonly view: ViewerView;
  private readonly clock: () => number;

  constructor(
    readonly streamId: string,
    readonly channel: number,
    private readonly link: ViewerLink,
    private readonly maxBufferedBytes: number,
    private readonly onTooSlow: () => void = () => undefined,
    options: ViewerOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.view = options.view ?? 'focus';
    this.stats = new ViewerStats(options.totals ?? new RelayTotals(), options.watcher ?? null, this.clock());
  }

  /** Bytes queued in the viewer's socket and not yet sent. */
  get bufferedBytes(): number {
    return this.link.bufferedAmount();
  }

  get state(): ViewerState {
    return this.mode;
  }

  /**
   * Starts the viewer at a join point: init segment, then the segment's fragments, all
   * flagged REPLAY. Without one it waits for the next live join fragment. So does it when
   * the socket already holds more than `maxBufferedBytes` (a proctor subscribing to many
   * streams at once on a slow link): then only the init segment goes out, and the buffered
   * segment is not queued on top (the socket would otherwise hold one segment per
   * subscription).
   */
  start(init: InitUnit | null, fragments: readonly FragmentUnit[]): void {
    if (!init) return;
    this.sentInit = init;
    this.link.sendReplay(init);
    if (fragments.length > 0 && fragments[0].join && this.link.bufferedAmount() > this.maxBufferedBytes) {
      this.skippedFragments += fragments.length;
      this.stats.skippedSegment();
      return; // awaiting-join: resumes at the next live join fragment once the socket drained
    }
    if (fragments.length > 0 && fragments[0].join) {
      this.mode = 'live';
      for (const f of fragments) this.link.sendReplay(f);
    }
  }

  /**
   * Feeds one live unit from the stream's pipeline.
   * @param nowMs server clock, ms since the Unix epoch (the stream reads it once per unit for all its viewers)
   */
  handleUnit(unit: MediaUnit, nowMs = this.clock()): void {
    if (unit.kind === 'init') {
      this.sendInit(unit);
      this.mode = 'awaiting-join'; // old fragments cannot follow a new init
      return;
    }
    if (this.sentInit !== unit.init) this.sendInit(unit.init);
    if (this.mode !== 'live') {
      if (!unit.join) {
        if (this.mode === 'skipping') this.skippedFragments++;
        return;
      }
      if (this.link.bufferedAmount() > this.maxBufferedBytes / 2) {
        this.skippedFragments++;
        this.stats.skippedSegment(); // this join fragment's segment is passed over
        if (++this.missedJoins >= MAX_MISSED_JOINS && !this.gaveUp) {
          this.gaveUp = true;
          this.onTooSlow();
        }
        return;
      }
      this.mode = 'live';
      this.missedJoins = 0;
    } else if (this.link.bufferedAmount() > this.maxBufferedBytes) {
      this.mode = 'skipping';
      this.skips++;
      this.skippedFragments++;
      this.stats.skippedSegment(); // the rest of the current segment
      return;
    }
    this.link.sendBinary(unit.message);
    if (unit.captureTimeMs !== null) this.stats.delivered(nowMs, unit.captureTimeMs);
  }

  private sendInit(init: InitUnit): void {
    this.sentInit = init;
    this.link.sendBinary(init.message);
  }
}
