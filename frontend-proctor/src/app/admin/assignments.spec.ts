import { assignmentChanges, examNames } from './assignments';

describe('assignments', () => {
  it('computes what to assign and unassign', () => {
    expect(assignmentChanges(['a', 'b'], ['b', 'c'], ['a', 'b', 'c'])).toEqual({ assign: ['c'], unassign: ['a'] });
    expect(assignmentChanges(['a'], ['a'], ['a'])).toEqual({ assign: [], unassign: [] });
    // 'gone' was deleted: not sent.
    expect(assignmentChanges(['gone'], [], ['a'])).toEqual({ assign: [], unassign: [] });
  });

  it('names the assigned exams in list order', () => {
    const exams = [
      { id: 'a', name: 'Algebra' },
      { id: 'b', name: 'Biology' },
    ];
    expect(examNames(['b', 'a', 'x'], exams)).toEqual(['Algebra', 'Biology']);
  });
});
