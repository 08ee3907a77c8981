import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { ProctorEventKind } from '@vigil/api';
import { describeHttpError } from '../core/http-error';
import { EventTrackApi } from '../review/event-track-api';
import { flagHotkey, proctorEventBody } from '../review/proctor-flags';
import { FLAG_SAVED_NOTICE_MS, flagNoticeText, type FlagNotice } from './live-flags';
import { NoteFormComponent } from '../review/note-form.component';

/**
 * "Flag" and "Note" on the live view: a proctor's flag or note on the frame on screen, at its
 * capture time (`prft`, the clock of the recording), posted to the stream's event track
 * (`POST /api/recordings/:streamId/events`) like the review page's. Hotkeys F and N anywhere on
 * the page but in a text field (`review/proctor-flags.ts` `flagHotkey`); N opens a one-line note
 * for the frame on screen when it was pressed (Enter saves, Escape cancels). The outcome is said
 * under the controls: "Flag at 10:42:13 saved" (for a few seconds), or why it was not saved
 * (until the next flag or note).
 *
 * The host is `display: contents`: the buttons sit in the owner's row of controls (a wrapping
 * flex row); the note and the notice take a line of their own.
 */
@Component({
  selector: 'vigil-live-flags',
  imports: [MatButtonModule, NoteFormComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'hotkey($event)' },
  template: `
    <button mat-stroked-button type="button" (click)="flag()" [disabled]="!ready()" data-testid="flag-button"
      title="Flag the frame on screen (F)">Flag <kbd>F</kbd></button>
    <button mat-stroked-button type="button" (click)="openNote()" [disabled]="!ready()" data-testid="note-button"
      title="A note on the frame on screen (N)">Note <kbd>N</kbd></button>
    @if (noteAtMs(); as at) {
      <vigil-note-form class="line" [atMs]="at" (save)="saveNote($event)" (cancel)="noteAtMs.set(null)" />
    }
    <p class="line notice" [class.error]="notice()?.state === 'failed'" [attr.role]="notice()?.state === 'failed' ? 'alert' : 'status'"
      [attr.data-state]="notice()?.state ?? null" [hidden]="!notice()" data-testid="flag-notice">{{ noticeText() }}</p>
  `,
  styles: `
    :host { display: contents; }
    kbd { font: 0.75rem monospace; border: 1px solid var(--border); border-radius: 3px; padding: 0 0.25rem; margin-left: 0.2rem; }
    .line { flex-basis: 100%; order: 10; margin: 0; font-size: 0.88rem; }
    .notice { order: 11; }
    .notice.error { color: var(--bad); }
  `,
})
export class LiveFlagsComponent {
  readonly streamId = input.required<string>();
  /** The capture time of the frame on screen now, ms since the Unix epoch (read when F, N or a button is pressed); null: none yet. */
  readonly frameAt = input.required<() => number | null>();
  /** A frame is on screen (the buttons are enabled). */
  readonly ready = input(false);

  private readonly api = inject(EventTrackApi);
  /** The moment the open note is for; null: no note open. */
  protected readonly noteAtMs = signal<number | null>(null);
  protected readonly notice = signal<FlagNotice | null>(null);
  private clearTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      if (this.clearTimer !== null) clearTimeout(this.clearTimer);
    });
  }

  protected noticeText(): string {
    const n = this.notice();
    return n ? flagNoticeText(n) : '';
  }

  /** F anywhere (but in a text field): flag; N: a note. */
  protected hotkey(ev: KeyboardEvent): void {
    const kind = flagHotkey(ev);
    if (!kind) return;
    ev.preventDefault();
    if (kind === 'flag') this.flag();
    else this.openNote();
  }

  protected flag(): void {
    void this.post('flag', this.frameAt()(), '');
  }

  protected openNote(): void {
    const at = this.frameAt()();
    if (at === null) void this.post('note', null, '');
    else this.noteAtMs.set(at);
  }

  protected saveNote(text: string): void {
    const at = this.noteAtMs();
    if (at === null) return;
    this.noteAtMs.set(null);
    void this.post('note', at, text);
  }

  /** Posts a flag or note and says how it went (a refusal before any request when nothing is on screen). */
  private async post(kind: ProctorEventKind, atMs: number | null, text: string): Promise<void> {
    let body;
    try {
      body = proctorEventBody(kind, atMs, text);
    } catch (err) {
      this.show({ state: 'failed', kind, atMs: null, why: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.show({ state: 'saving', kind, atMs: body.atMs });
    try {
      await this.api.post(this.streamId(), body);
      this.show({ state: 'saved', kind, atMs: body.atMs });
    } catch (err) {
      this.show({ state: 'failed', kind, atMs: body.atMs, why: describeHttpError(err) });
    }
  }

  /**
   * Shows a notice; "saved" goes after {@link FLAG_SAVED_NOTICE_MS} unless another replaced it.
   * A failure is not hidden by another request's success: only a new flag or note replaces it.
   */
  private show(notice: FlagNotice): void {
    if (notice.state === 'saved' && this.notice()?.state === 'failed') return;
    if (this.clearTimer !== null) clearTimeout(this.clearTimer);
    this.clearTimer = null;
    this.notice.set(notice);
    if (notice.state === 'saved') {
      this.clearTimer = setTimeout(() => {
        if (this.notice() === notice) this.notice.set(null);
      }, FLAG_SAVED_NOTICE_MS);
    }
  }
}
