import { ChangeDetectionStrategy, Component, ElementRef, afterRenderEffect, input, output, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { PROCTOR_EVENT_TEXT_MAX_LENGTH } from '@vigil/api';
import { formatClock } from './wall-clock';

let nextFormId = 1;

/**
 * A proctor's one-line note on a moment of a recording (the review page's event track and the
 * live view's flags): "Note at 10:42:13", a text field of at most `PROCTOR_EVENT_TEXT_MAX_LENGTH`
 * characters that takes the keyboard when the note opens (and again when it moves to another
 * moment), Enter or Save emits the text, Escape or Cancel emits `cancel`.
 */
@Component({
  selector: 'vigil-note-form',
  imports: [MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="note" (submit)="submit($event, text.value)" data-testid="note-form">
      <label [for]="id">Note at {{ clock() }}</label>
      <input #text [id]="id" type="text" [maxLength]="maxText" placeholder="What do you see?" autocomplete="off"
        (keydown.escape)="cancel.emit()" data-testid="note-input" />
      <button mat-flat-button type="submit" data-testid="note-save">Save</button>
      <button mat-button type="button" (click)="cancel.emit()">Cancel</button>
    </form>
  `,
  styles: `
    :host { display: block; }
    .note { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
    input { flex: 1; min-width: 14rem; font: inherit; padding: 0.4rem 0.6rem; border: 1px solid var(--border); border-radius: 6px;
      background: var(--surface); color: var(--text); }
  `,
})
export class NoteFormComponent {
  /** The moment the note is for, ms since the Unix epoch (capture clock). */
  readonly atMs = input.required<number>();
  /** The note's text (Enter or Save). */
  readonly save = output<string>();
  /** Escape or Cancel. */
  readonly cancel = output<void>();

  protected readonly id = `vigil-note-text-${nextFormId++}`;
  protected readonly maxText = PROCTOR_EVENT_TEXT_MAX_LENGTH;
  private readonly text = viewChild.required<ElementRef<HTMLInputElement>>('text');

  constructor() {
    // the keyboard goes to the field once per moment the note opens for
    let focusedFor: number | null = null;
    afterRenderEffect(() => {
      const at = this.atMs();
      if (focusedFor === at) return;
      focusedFor = at;
      this.text().nativeElement.focus();
    });
  }

  protected clock(): string {
    return formatClock(this.atMs(), false);
  }

  protected submit(ev: Event, text: string): void {
    ev.preventDefault();
    this.save.emit(text);
  }
}
