import { ChangeDetectionStrategy, Component, computed, input, model, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { type ProctorEventKind, type StreamEventSource, type StreamEventView } from '@vigil/api';
import { EVENT_SOURCES, SOURCE_COLORS, countBySource, describeEvent, eventKey, filterEvents, lastEventAtOrBefore, sourceLabel, toggleSource } from './event-track';
import { isPending } from './event-track-loader';
import { flagHotkey } from './proctor-flags';
import { formatClock } from './wall-clock';
import { NoteFormComponent } from './note-form.component';

/** A flag or note to post: the moment (capture clock, ms since the Unix epoch) and its text. */
export interface ProctorEventRequest {
  readonly kind: ProctorEventKind;
  readonly atMs: number;
  readonly text: string;
}

/**
 * The review page's event list under the timeline: a filter by source (with counts), "Flag" and
 * "Note" for the frame on screen (hotkeys F and N anywhere on the page but in a text field;
 * N opens a one-line note, Enter saves, Escape cancels), and the events of the shown sources
 * (time, source, kind, detail, who; the one at or before the playhead highlighted); a click
 * seeks there. The markers on the timeline are `RecordingTimelineComponent`'s.
 */
@Component({
  selector: 'vigil-event-track',
  imports: [MatButtonModule, NoteFormComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'hotkey($event)' },
  template: `
    <div class="head">
      <strong>Events</strong>
      <span class="filter" role="group" aria-label="Show events from" data-testid="event-filter">
        @for (s of sources; track s) {
          <button type="button" class="src" [class.off]="!shown().has(s)" [attr.aria-pressed]="shown().has(s)" [attr.data-source]="s"
            (click)="shown.set(toggle(s))" [attr.title]="(shown().has(s) ? 'Hide ' : 'Show ') + label(s) + ' events'">
            <i [style.background]="color(s)"></i>{{ label(s) }} <span class="num">{{ counts()[s] }}</span>
          </button>
        }
      </span>
      <span class="spacer"></span>
      <button mat-stroked-button type="button" (click)="flag()" [disabled]="playheadMs() === null" data-testid="flag-button"
        title="Flag the frame on screen (F)">Flag <kbd>F</kbd></button>
      <button mat-stroked-button type="button" (click)="openNote()" [disabled]="playheadMs() === null" data-testid="note-button"
        title="A note on the frame on screen (N)">Note <kbd>N</kbd></button>
    </div>
    @if (noteAtMs(); as at) {
      <vigil-note-form class="note" [atMs]="at" (save)="saveNote($event)" (cancel)="noteAtMs.set(null)" />
    }
    @if (error(); as e) {
      <p class="error" role="alert">Events could not be loaded: {{ e }}</p>
    }
    @if (truncated()) {
      <p class="muted small">More than 10,000 events: the oldest are shown.</p>
    }
    @if (visible().length === 0) {
      <p class="muted small" data-testid="event-list-empty">{{ events().length === 0 ? 'No events yet.' : 'No events from the sources shown.' }}</p>
    } @else {
      <ol class="list" data-testid="event-list">
        @for (e of visible(); track key(e); let i = $index) {
          @let t = text(e);
          <li>
            <button type="button" class="row" [class.current]="i === current()" [class.pending]="pending(e)" (click)="seek.emit(e.atMs)"
              [attr.data-source]="e.source" [attr.data-type]="e.type" [attr.data-at-ms]="e.atMs" [attr.title]="'Go to ' + clock(e.atMs)"
              data-testid="event-item">
              <span class="num time">{{ clock(e.atMs) }}</span>
              <span class="badge-src" [style.background]="color(e.source)">{{ label(e.source) }}</span>
              <span class="kind">{{ t.kind }}</span>
              <span class="detail">{{ t.detail }}</span>
              <span class="who muted">{{ e.by ?? '' }}</span>
            </button>
          </li>
        }
      </ol>
    }
  `,
  styles: `
    :host { display: block; margin-top: 0.6rem; font-size: 0.88rem; }
    .head { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
    .filter { display: inline-flex; flex-wrap: wrap; gap: 0.3rem; }
    .src { display: inline-flex; align-items: center; gap: 0.3rem; border: 1px solid var(--border); border-radius: 999px;
      background: var(--surface); color: var(--text); font: inherit; padding: 0.15rem 0.6rem; cursor: pointer; }
    .src.off { opacity: 0.45; text-decoration: line-through; }
    .src i { width: 0.6rem; height: 0.6rem; border-radius: 50%; }
    kbd { font: 0.75rem monospace; border: 1px solid var(--border); border-radius: 3px; padding: 0 0.25rem; margin-left: 0.2rem; }
    .note { margin-top: 0.5rem; }
    .list { list-style: none; margin: 0.5rem 0 0; padding: 0; max-height: 15rem; overflow: auto; border: 1px solid var(--border); border-radius: 6px; }
    .row { display: grid; grid-template-columns: 5.2rem 5.5rem minmax(9rem, 14rem) 1fr auto; gap: 0.6rem; align-items: center; width: 100%;
      border: 0; border-bottom: 1px solid var(--border); background: none; color: inherit; font: inherit; text-align: left;
      padding: 0.3rem 0.6rem; cursor: pointer; }
    .row:hover { background: var(--mat-sys-surface-container-high); }
    .row.current { background: color-mix(in srgb, var(--accent) 14%, transparent); }
    .row.pending { opacity: 0.6; }
    .badge-src { color: #fff; border-radius: 4px; padding: 0 0.35rem; font-size: 0.75rem; text-align: center; }
    .kind { font-weight: 600; }
    .detail { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .small { font-size: 0.8rem; margin: 0.4rem 0 0; }
    .error { color: var(--bad); margin: 0.4rem 0 0; }
  `,
})
export class EventTrackComponent {
  /** Every event known, oldest first (the filter is applied here and by the owner for the markers). */
  readonly events = input.required<readonly StreamEventView[]>();
  /** Sources shown (two-way). */
  readonly shown = model.required<ReadonlySet<StreamEventSource>>();
  /** Capture time of the frame on screen, ms; null: nothing to flag. */
  readonly playheadMs = input<number | null>(null);
  readonly truncated = input(false);
  readonly error = input<string | null>(null);
  /** A click on an event: go to this moment, ms. */
  readonly seek = output<number>();
  /** Flag or note the proctor asked for. */
  readonly create = output<ProctorEventRequest>();

  protected readonly sources = EVENT_SOURCES;
  /** The moment the open note is for; null: no note open. */
  protected readonly noteAtMs = signal<number | null>(null);
  protected readonly counts = computed(() => countBySource(this.events()));
  protected readonly visible = computed(() => filterEvents(this.events(), this.shown()));
  protected readonly current = computed(() => {
    const at = this.playheadMs();
    return at === null ? -1 : lastEventAtOrBefore(this.visible(), at);
  });

  protected readonly label = sourceLabel;
  protected readonly text = describeEvent;
  protected readonly key = eventKey;
  protected readonly pending = isPending;

  protected color(s: StreamEventSource): string {
    return SOURCE_COLORS[s];
  }

  protected toggle(s: StreamEventSource): Set<StreamEventSource> {
    return toggleSource(this.shown(), s);
  }

  protected clock(ms: number): string {
    return formatClock(ms, false);
  }

  /** F anywhere (but in a text field): flag; N: a note. */
  protected hotkey(ev: KeyboardEvent): void {
    const kind = flagHotkey(ev);
    if (!kind || this.playheadMs() === null) return;
    ev.preventDefault();
    if (kind === 'flag') this.flag();
    else this.openNote();
  }

  protected flag(): void {
    const at = this.playheadMs();
    if (at !== null) this.create.emit({ kind: 'flag', atMs: at, text: '' });
  }

  protected openNote(): void {
    const at = this.playheadMs();
    if (at !== null) this.noteAtMs.set(at);
  }

  protected saveNote(text: string): void {
    const at = this.noteAtMs();
    if (at === null) return;
    this.create.emit({ kind: 'note', atMs: at, text });
    this.noteAtMs.set(null);
  }
}
