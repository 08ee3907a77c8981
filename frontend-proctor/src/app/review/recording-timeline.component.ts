import { ChangeDetectionStrategy, Component, ElementRef, computed, input, output, signal, viewChild } from '@angular/core';
import type { StreamEventSource } from '@vigil/api';
import { SOURCE_COLORS, sourceLabel, type EventMarker } from './event-track';
import { msAtX, percentAt, type TimelineView } from './timeline-layout';
import { formatClock } from './wall-clock';

/** A selected wall-clock range, ms since the Unix epoch. */
export interface TimeSelection {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Seeks while dragging are sent at most this often, ms. */
const DRAG_SEEK_INTERVAL_MS = 150;
/** Arrow keys move the playhead by this much, ms (Shift: ten times). */
const KEY_STEP_MS = 5000;

/**
 * The whole recording on one bar, by wall clock (layout from `timeline-layout.ts`):
 * recorded stretches, gaps with their reason (tooltip, and a list under the bar), init
 * changes (resolution), the selected range and the playhead. Click or drag to seek;
 * Shift + drag selects a range; ←/→ move the playhead by 5 s (Shift: 50 s). Under the bar,
 * the event track (`markers`, from `event-track.ts`): one lane per source, a marker per event
 * (or per events too close to tell apart), its tooltip the events; a click seeks to it.
 */
@Component({
  selector: 'vigil-recording-timeline',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div
      #bar
      class="bar"
      role="slider"
      tabindex="0"
      aria-label="Recording timeline: click or drag to seek, Shift+drag to select a range"
      [attr.aria-valuemin]="view().span.fromMs"
      [attr.aria-valuemax]="view().span.toMs"
      [attr.aria-valuenow]="playheadMs()"
      [attr.aria-valuetext]="playheadMs() === null ? null : clock(playheadMs()!)"
      data-testid="timeline"
      [attr.data-from-ms]="view().span.fromMs"
      [attr.data-to-ms]="view().span.toMs"
      (pointerdown)="down($event)"
      (pointermove)="move($event)"
      (pointerup)="up($event)"
      (pointercancel)="drag = null"
      (pointerleave)="hoverMs.set(null)"
      (keydown)="key($event)"
    >
      @for (r of view().recorded; track r.fromMs) {
        <div class="rec" [style.left.%]="r.left" [style.width.%]="r.width" data-testid="timeline-recorded"></div>
      }
      @for (h of view().holes; track h.fromMs) {
        <div class="hole" [style.left.%]="h.left" [style.width.%]="h.width" [attr.title]="h.label"
          [attr.data-reason]="h.hole.reason" data-testid="timeline-gap"></div>
      }
      @for (i of view().inits; track i.atMs) {
        <div class="init" [class.resized]="i.resized" [style.left.%]="i.left" [attr.title]="i.label" data-testid="timeline-init">
          <span>{{ i.init.width }}×{{ i.init.height }}</span>
        </div>
      }
      @if (selectionBox(); as s) {
        <div class="sel" [style.left.%]="s.left" [style.width.%]="s.width" data-testid="timeline-selection"></div>
      }
      @if (playheadLeft(); as left) {
        <div class="playhead" [style.left.%]="left" data-testid="timeline-playhead"></div>
      }
      @if (hoverMs(); as ms) {
        <div class="hover" [style.left.%]="percent(ms)"><span>{{ clock(ms) }}</span></div>
      }
    </div>
    @if (lanes().length > 0) {
      <div class="lanes" [style.height.px]="lanes().length * laneHeight + 2" data-testid="timeline-events">
        @for (l of lanes(); track l; let i = $index) {
          <div class="lane" [style.top.px]="i * laneHeight" [style.height.px]="laneHeight - 1" [style.color]="color(l)" [attr.title]="sourceName(l) + ' events'"></div>
        }
        @for (m of markers(); track m.source + m.atMs) {
          <button type="button" class="marker" [class.flag]="m.flag" [style.left.%]="m.left" [style.top.px]="m.lane * laneHeight + 1"
            [style.background]="color(m.source)" [attr.title]="m.label" [attr.aria-label]="m.label" (click)="seek.emit(m.atMs)"
            [attr.data-source]="m.source" [attr.data-at-ms]="m.atMs" [attr.data-count]="m.events.length" [attr.data-types]="types(m)"
            tabindex="-1" data-testid="timeline-event"></button>
        }
        @if (playheadLeft(); as left) {
          <div class="lane-playhead" [style.left.%]="left"></div>
        }
      </div>
    }
    <div class="ticks" aria-hidden="true">
      @for (t of view().ticks; track t.atMs) {
        <span [style.left.%]="t.left">{{ t.label }}</span>
      }
    </div>
    @if (view().holes.length > 0) {
      <ul class="gaps" data-testid="gap-list">
        @for (h of view().holes; track h.fromMs) {
          <li [attr.data-reason]="h.hole.reason" data-testid="gap-item">
            <button type="button" class="linkish" (click)="seek.emit(h.toMs)" [attr.title]="'Go to ' + clock(h.toMs)">{{ h.label }}</button>
          </li>
        }
      </ul>
    }
  `,
  styles: `
    :host { display: block; user-select: none; }
    .bar { position: relative; height: 38px; border-radius: 6px; background: var(--mat-sys-surface-container-high);
      cursor: pointer; touch-action: none; overflow: hidden; outline-offset: 2px; }
    .rec { position: absolute; top: 8px; bottom: 8px; background: var(--accent); opacity: 0.55; border-radius: 3px; }
    .hole { position: absolute; top: 0; bottom: 0; min-width: 4px; background: repeating-linear-gradient(135deg,
      var(--bad) 0 4px, transparent 4px 8px); opacity: 0.7; }
    .init { position: absolute; top: 0; bottom: 0; width: 2px; background: var(--warn); }
    .init span { position: absolute; top: 0; left: 4px; font-size: 10px; color: var(--warn); white-space: nowrap; }
    .init:not(.resized) span { display: none; }
    .sel { position: absolute; top: 2px; bottom: 2px; border: 2px solid var(--mat-sys-tertiary);
      background: color-mix(in srgb, var(--mat-sys-tertiary) 18%, transparent); border-radius: 4px; }
    .playhead { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: var(--text); }
    .hover { position: absolute; top: 0; bottom: 0; width: 1px; background: var(--muted); pointer-events: none; }
    .hover span { position: absolute; bottom: 0; left: 4px; font-size: 11px; background: var(--surface); padding: 0 3px; }
    .lanes { position: relative; margin-top: 3px; }
    .lane { position: absolute; left: 0; right: 0; border-radius: 2px; background: currentColor; opacity: 0.08; }
    .marker { position: absolute; width: 8px; height: 10px; margin-left: -4px; padding: 0; border: 0; border-radius: 2px; cursor: pointer; }
    .marker.flag { width: 12px; margin-left: -1px; clip-path: polygon(0 0, 100% 30%, 17% 60%, 17% 100%, 0 100%); border-radius: 0; }
    .marker:hover, .marker:focus-visible { outline: 2px solid var(--text); z-index: 1; }
    .lane-playhead { position: absolute; top: 0; bottom: 0; width: 1px; background: var(--text); opacity: 0.5; pointer-events: none; }
    .ticks { position: relative; height: 1.1rem; font-size: 11px; color: var(--muted); }
    .ticks span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
    .gaps { margin: 0.4rem 0 0; padding-left: 1.1rem; font-size: 0.85rem; color: var(--bad); }
    .linkish { border: 0; background: none; padding: 0; color: inherit; font: inherit; cursor: pointer; text-align: left; }
    .linkish:hover { text-decoration: underline; }
  `,
})
export class RecordingTimelineComponent {
  readonly view = input.required<TimelineView>();
  /** Wall clock of the frame on screen, ms since the Unix epoch. */
  readonly playheadMs = input<number | null>(null);
  readonly selection = input<TimeSelection | null>(null);
  /** The event track's markers (`layoutMarkers`) and its lanes, top to bottom. */
  readonly markers = input<readonly EventMarker[]>([]);
  readonly lanes = input<readonly StreamEventSource[]>([]);
  /** Click or drag: go to this wall-clock moment, ms. */
  readonly seek = output<number>();
  /** Shift + drag: this range was selected. */
  readonly select = output<TimeSelection>();

  private readonly bar = viewChild.required<ElementRef<HTMLElement>>('bar');
  protected readonly hoverMs = signal<number | null>(null);
  private readonly preview = signal<TimeSelection | null>(null);
  protected drag: { kind: 'seek' | 'select'; anchorMs: number; lastSeekAt: number } | null = null;

  protected readonly playheadLeft = computed(() => {
    const ms = this.playheadMs();
    // 0 % is falsy in @if: keep it visible by a hair
    return ms === null ? null : Math.max(percentAt(ms, this.view().span), 0.0001);
  });
  protected readonly selectionBox = computed(() => {
    const s = this.preview() ?? this.selection();
    if (!s) return null;
    const span = this.view().span;
    const left = percentAt(Math.min(s.fromMs, s.toMs), span);
    return { left, width: Math.max(0.2, percentAt(Math.max(s.fromMs, s.toMs), span) - left) };
  });

  protected readonly laneHeight = 13;

  protected color(source: StreamEventSource): string {
    return SOURCE_COLORS[source];
  }

  protected sourceName(source: StreamEventSource): string {
    return sourceLabel(source);
  }

  protected types(m: EventMarker): string {
    return [...new Set(m.events.map((e) => e.type))].join(' ');
  }

  protected clock(ms: number): string {
    return formatClock(ms, false);
  }

  protected percent(ms: number): number {
    return percentAt(ms, this.view().span);
  }

  protected down(ev: PointerEvent): void {
    if (ev.button !== 0) return;
    const ms = this.msAt(ev);
    (ev.currentTarget as HTMLElement).setPointerCapture?.(ev.pointerId);
    if (ev.shiftKey) {
      this.drag = { kind: 'select', anchorMs: ms, lastSeekAt: 0 };
      this.preview.set({ fromMs: ms, toMs: ms });
    } else {
      this.drag = { kind: 'seek', anchorMs: ms, lastSeekAt: performance.now() };
      this.seek.emit(ms);
    }
    ev.preventDefault();
  }

  protected move(ev: PointerEvent): void {
    const ms = this.msAt(ev);
    this.hoverMs.set(ms);
    const d = this.drag;
    if (!d) return;
    if (d.kind === 'select') {
      this.preview.set({ fromMs: Math.min(d.anchorMs, ms), toMs: Math.max(d.anchorMs, ms) });
    } else if (performance.now() - d.lastSeekAt >= DRAG_SEEK_INTERVAL_MS) {
      d.lastSeekAt = performance.now();
      this.seek.emit(ms);
    }
  }

  protected up(ev: PointerEvent): void {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    const ms = this.msAt(ev);
    if (d.kind === 'select') {
      this.preview.set(null);
      if (Math.abs(ms - d.anchorMs) >= 500) this.select.emit({ fromMs: Math.min(d.anchorMs, ms), toMs: Math.max(d.anchorMs, ms) });
    } else if (Math.abs(ms - d.anchorMs) > 0) {
      this.seek.emit(ms);
    }
  }

  protected key(ev: KeyboardEvent): void {
    const at = this.playheadMs();
    if (at === null || (ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight')) return;
    const step = (ev.shiftKey ? 10 : 1) * KEY_STEP_MS * (ev.key === 'ArrowLeft' ? -1 : 1);
    this.seek.emit(at + step);
    ev.preventDefault();
  }

  private msAt(ev: PointerEvent): number {
    const rect = this.bar().nativeElement.getBoundingClientRect();
    return msAtX(ev.clientX - rect.left, rect.width, this.view().span);
  }
}
