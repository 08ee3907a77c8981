import { PROCTOR_EVENT_TEXT_MAX_LENGTH } from '@vigil/api';
import { flagHotkey, isTypingTarget, pendingEvent, proctorEventBody } from './proctor-flags';

const el = (tagName: string, extra: Record<string, unknown> = {}) => ({ tagName, getAttribute: (n: string) => (extra[`@${n}`] as string | undefined) ?? null, ...extra });

describe('flagHotkey', () => {
  it('F flags, N opens a note, in either case', () => {
    expect(flagHotkey({ key: 'f' })).toBe('flag');
    expect(flagHotkey({ key: 'F' })).toBe('flag');
    expect(flagHotkey({ key: 'n', target: el('BODY') })).toBe('note');
    expect(flagHotkey({ key: 'N', target: el('BUTTON') })).toBe('note');
    expect(flagHotkey({ key: 'g' })).toBeNull();
    expect(flagHotkey({ key: 'ArrowLeft' })).toBeNull();
  });

  it('leaves browser shortcuts, repeats, composition and handled keys alone', () => {
    expect(flagHotkey({ key: 'f', ctrlKey: true })).toBeNull();
    expect(flagHotkey({ key: 'f', metaKey: true })).toBeNull();
    expect(flagHotkey({ key: 'n', altKey: true })).toBeNull();
    expect(flagHotkey({ key: 'f', repeat: true })).toBeNull();
    expect(flagHotkey({ key: 'f', isComposing: true })).toBeNull();
    expect(flagHotkey({ key: 'f', defaultPrevented: true })).toBeNull();
  });

  it('does nothing while the proctor types (jump to, the note itself, editable content)', () => {
    expect(flagHotkey({ key: 'f', target: el('INPUT', { type: 'text' }) })).toBeNull();
    expect(flagHotkey({ key: 'f', target: el('input', { type: 'search' }) })).toBeNull();
    expect(flagHotkey({ key: 'n', target: el('TEXTAREA') })).toBeNull();
    expect(flagHotkey({ key: 'n', target: el('DIV', { isContentEditable: true }) })).toBeNull();
    expect(flagHotkey({ key: 'n', target: el('DIV', { '@role': 'textbox' }) })).toBeNull();
    // a key on a checkbox or a button is no typing
    expect(flagHotkey({ key: 'f', target: el('INPUT', { type: 'checkbox' }) })).toBe('flag');
  });

  it('tells typing targets apart without a DOM', () => {
    expect(isTypingTarget(null)).toBe(false);
    expect(isTypingTarget('x')).toBe(false);
    expect(isTypingTarget(el('SELECT'))).toBe(true);
    expect(isTypingTarget(el('INPUT'))).toBe(true); // no type: text
    expect(isTypingTarget(el('A'))).toBe(false);
  });
});

describe('proctorEventBody', () => {
  it('rounds the moment and trims and caps the text', () => {
    expect(proctorEventBody('flag', 1_767_000_000_123.6)).toEqual({ atMs: 1_767_000_000_124, kind: 'flag', text: '' });
    expect(proctorEventBody('note', 5, '  looks away  ')).toEqual({ atMs: 5, kind: 'note', text: 'looks away' });
    expect(proctorEventBody('note', 5, 'x'.repeat(PROCTOR_EVENT_TEXT_MAX_LENGTH + 10)).text).toHaveLength(PROCTOR_EVENT_TEXT_MAX_LENGTH);
  });

  it('refuses a moment that is not one (nothing on screen)', () => {
    expect(() => proctorEventBody('flag', null)).toThrow(RangeError);
    expect(() => proctorEventBody('flag', Number.NaN)).toThrow(RangeError);
    expect(() => proctorEventBody('flag', -1)).toThrow(RangeError);
  });

  it('makes the event shown while it is posted', () => {
    expect(pendingEvent({ atMs: 7, kind: 'flag', text: '' }, 'p@x')).toEqual({ atMs: 7, source: 'proctor', type: 'flag', detail: { text: '', pending: true }, by: 'p@x' });
    expect(pendingEvent({ atMs: 7, kind: 'note', text: 'a' }, undefined)).not.toHaveProperty('by');
  });
});
