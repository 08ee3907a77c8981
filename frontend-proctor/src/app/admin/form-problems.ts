import type { DestroyRef } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { AbstractControl, FormGroup, ValidationErrors } from '@angular/forms';

/**
 * Validates a form with a pure `problems(value)` function (one message per
 * field, see exam-form.ts): each control gets a `{ problem: message }` error
 * for its field, and every control is checked again when any value changes
 * (rules like "ends after it starts" span fields).
 */
export function bindProblems<T extends object>(
  group: FormGroup,
  problems: (value: T) => Partial<Record<keyof T, string>>,
  destroyRef: DestroyRef,
): void {
  const controls = Object.entries(group.controls) as [string, AbstractControl][];
  for (const [name, control] of controls) {
    control.addValidators((): ValidationErrors | null => {
      const message = problems(group.getRawValue() as T)[name as keyof T];
      return message ? { problem: message } : null;
    });
  }
  group.valueChanges.pipe(takeUntilDestroyed(destroyRef)).subscribe(() => {
    for (const [, control] of controls) control.updateValueAndValidity({ emitEvent: false });
  });
  for (const [, control] of controls) control.updateValueAndValidity({ emitEvent: false });
}

/** The `{ problem }` message of a control, for `<mat-error>`. */
export function problemOf(control: AbstractControl): string | null {
  return (control.errors?.['problem'] as string | undefined) ?? null;
}
