import { MAX_KEPT_ERRORS, RecoveryBudget, keepError, playerError, type PlayerError } from './player-events';

describe('RecoveryBudget (rebuilds after fatal errors)', () => {
  it('allows 3 rebuilds within a minute, then none until the oldest leaves the window', () => {
    const budget = new RecoveryBudget();
    expect([0, 10_000, 20_000].map((t) => budget.take(t))).toEqual([true, true, true]);
    expect(budget.take(59_999)).toBe(false);
    expect(budget.take(60_000)).toBe(true); // the rebuild at 0 left the window
    expect(budget.take(60_001)).toBe(false);
  });
});

describe('keepError', () => {
  it('keeps the newest errors only', () => {
    const errors: PlayerError[] = [];
    for (let i = 0; i < MAX_KEPT_ERRORS + 5; i++) keepError(errors, playerError('mediaError', 'bufferAppendError', false, `e${i}`));
    expect(errors).toHaveLength(MAX_KEPT_ERRORS);
    expect(errors[0]!.message).toBe('e5');
  });
});
