import { overallState } from './status';

describe('overallState', () => {
  it('is "streaming" only while running and connected', () => {
    expect(overallState('running', 'connected')).toBe('streaming');
    expect(overallState('running', 'connecting')).toBe('connecting');
    expect(overallState('running', 'idle')).toBe('connecting');
    expect(overallState('running', 'reconnecting')).toBe('reconnecting');
    expect(overallState('running', 'failed')).toBe('error');
    expect(overallState('running', 'stopped')).toBe('stopped');
    expect(overallState('running', 'ended')).toBe('ended');
  });

  it('reports the phase when not running', () => {
    expect(overallState('starting', 'connected')).toBe('starting');
    expect(overallState('waiting-for-share', 'connected')).toBe('waiting-for-share');
    expect(overallState('error', 'connected')).toBe('error');
    expect(overallState('stopped', 'stopped')).toBe('stopped');
    expect(overallState('ended', 'ended')).toBe('ended');
  });
});
