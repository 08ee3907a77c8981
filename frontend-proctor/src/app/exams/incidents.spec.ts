import { incidentsCsvUrl } from './incidents';

describe('incidentsCsvUrl', () => {
  it('is the exam\'s incidents.csv route, the id escaped', () => {
    expect(incidentsCsvUrl('exam-1')).toBe('/api/exams/exam-1/incidents.csv');
    expect(incidentsCsvUrl('a/b c')).toBe('/api/exams/a%2Fb%20c/incidents.csv');
  });
});
