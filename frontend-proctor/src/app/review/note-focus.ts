import { afterRenderEffect, type ElementRef, type Signal } from '@angular/core';

/**
 * Gives the keyboard to a note field when a note opens: focuses `input` once per opened moment
 * (`openAt` turns from null, or to another moment), after Angular rendered the field. Call it in
 * an injection context (a component's constructor). Used by the review page's event track and
 * the live view's flags.
 * @param openAt the moment the open note is for (Unix epoch ms), null while no note is open
 * @param input the note's text field, once rendered
 */
export function focusNoteWhenOpened(openAt: Signal<number | null>, input: Signal<ElementRef<HTMLInputElement> | undefined>): void {
  let focusedFor: number | null = null;
  afterRenderEffect(() => {
    const at = openAt();
    const el = input()?.nativeElement;
    if (at !== null && el && focusedFor !== at) {
      focusedFor = at;
      el.focus();
    }
    if (at === null) focusedFor = null;
  });
}
