import { confirmPasswordProblem, newPasswordProblem } from './password-rules';

describe('password rules', () => {
  it('needs 12..256 characters and a change', () => {
    expect(newPasswordProblem('old-password-1', 'short')).toBe('At least 12 characters (5 so far).');
    expect(newPasswordProblem('old-password-1', 'x'.repeat(257))).toBe('At most 256 characters.');
    expect(newPasswordProblem('old-password-1', 'old-password-1')).toBe('Choose a password different from the current one.');
    expect(newPasswordProblem('', 'twelve-chars')).toBeNull();
    expect(newPasswordProblem('old-password-1', 'correct horse battery')).toBeNull();
  });

  it('checks the repetition', () => {
    expect(confirmPasswordProblem('abc', 'abd')).toBe('The two passwords differ.');
    expect(confirmPasswordProblem('abc', 'abc')).toBeNull();
  });
});
