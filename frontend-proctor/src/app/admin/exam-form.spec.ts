import type { Exam } from '@vigil/api';
import { examBody, examFormProblems, examPatch, examToForm, fromLocalInput, newExamDefaults, toLocalInput, type ExamFormValue } from './exam-form';

const valid: ExamFormValue = {
  name: ' Algebra ',
  startsLocal: '2026-11-24T09:00',
  endsLocal: '2026-11-24T11:30',
  defaultFps: 1,
  retentionDays: 30,
};

describe('datetime-local conversion', () => {
  it('round-trips in the local time zone', () => {
    const ms = new Date(2026, 10, 24, 9, 5).getTime();
    expect(toLocalInput(ms)).toBe('2026-11-24T09:05');
    expect(fromLocalInput('2026-11-24T09:05')).toBe(ms);
    expect(fromLocalInput('2026-11-24T09:05:30')).toBe(ms + 30_000);
  });

  it('refuses what is not a date and time', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('2026-02-31T10:00')).toBeNull();
    expect(fromLocalInput('24.11.2026 09:00')).toBeNull();
  });

  it('suggests the next full hour, two hours long', () => {
    const v = newExamDefaults(new Date(2026, 10, 24, 9, 41, 12).getTime());
    expect(v).toMatchObject({ startsLocal: '2026-11-24T10:00', endsLocal: '2026-11-24T12:00', defaultFps: 1, retentionDays: 30 });
  });
});

describe('examFormProblems and examBody', () => {
  it('accepts valid values and trims the name', () => {
    expect(examFormProblems(valid)).toEqual({});
    expect(examBody(valid)).toEqual({
      name: 'Algebra',
      startsAtMs: fromLocalInput('2026-11-24T09:00'),
      endsAtMs: fromLocalInput('2026-11-24T11:30'),
      defaultFps: 1,
      retentionDays: 30,
    });
  });

  it('names each bad field', () => {
    expect(
      examFormProblems({ name: '  ', startsLocal: '2026-11-24T09:00', endsLocal: '2026-11-24T09:00', defaultFps: 6, retentionDays: 0.5 }),
    ).toEqual({
      name: 'Give the exam a name.',
      endsLocal: 'The exam must end after it starts.',
      defaultFps: 'Between 0.2 and 5 fps.',
      retentionDays: 'Enter a whole number of days.',
    });
    expect(examFormProblems({ ...valid, startsLocal: '', defaultFps: null, retentionDays: 4000 })).toEqual({
      startsLocal: 'Enter a date and time.',
      defaultFps: 'Enter a frame rate.',
      retentionDays: 'Between 1 and 3650 days.',
    });
    expect(() => examBody({ ...valid, name: '' })).toThrow('name: Give the exam a name.');
  });
});

describe('examPatch', () => {
  const exam: Exam = {
    id: 'e1',
    name: 'Algebra',
    startsAtMs: new Date(2026, 10, 24, 9, 0, 42).getTime(), // seconds the form does not show
    endsAtMs: new Date(2026, 10, 24, 11, 30).getTime(),
    defaultFps: 1,
    retentionDays: 30,
    createdAtMs: 0,
    updatedAtMs: 0,
  };

  it('sends only what changed', () => {
    const form = examToForm(exam);
    expect(examPatch(exam, examBody(form))).toEqual({});
    expect(examPatch(exam, examBody({ ...form, name: 'Algebra II', endsLocal: '2026-11-24T12:00', defaultFps: 0.5 }))).toEqual({
      name: 'Algebra II',
      endsAtMs: new Date(2026, 10, 24, 12, 0).getTime(),
      defaultFps: 0.5,
    });
  });
});
