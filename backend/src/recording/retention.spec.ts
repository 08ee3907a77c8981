import { existsSync } from 'node:fs';
import path from 'node:path';
import { RetentionService } from './retention.service';
import { RecordingService } from './recording.service';
import { SERVER_TEST_TIMEOUT_MS, TEST_DATABASES, TestClient, TestServer, adminClient, startTestServer } from '../testing/test-server';

const DAY = 24 * 3600_000;

/** Retention over the real app: real database, real folders, real audit log. */
describe.each(TEST_DATABASES)('recording retention (%s)', (database) => {
  let server: TestServer;
  let admin: TestClient;

  beforeAll(async () => {
    server = await startTestServer(database);
    admin = await adminClient(server);
  }, SERVER_TEST_TIMEOUT_MS);

  afterAll(() => server?.close());

  /** A finished recording of `examId` created `ageDays` ago (a real folder, as the recorder writes it). */
  async function recording(streamId: string, examId: string, ageDays: number): Promise<string> {
    const store = server.app.get(RecordingService).store;
    const rec = await store.open({ streamId, examId, seatId: 'seat', encoder: 'webcodecs', userAgent: 'jest', createdAtMs: Date.now() - ageDays * DAY });
    await rec.close();
    return store.streamDir(streamId);
  }

  it('deletes recordings past their exam retention, keeps the rest, and audits each deletion', async () => {
    const shortExam = (await admin.post('/api/exams', { name: 'Short', startsAtMs: Date.now() - DAY, endsAtMs: Date.now(), retentionDays: 1 })).body;
    const longExam = (await admin.post('/api/exams', { name: 'Long', startsAtMs: Date.now() - DAY, endsAtMs: Date.now(), retentionDays: 30 })).body;
    const old = await recording('old-short', shortExam.id, 2);
    const fresh = await recording('fresh-short', shortExam.id, 0.5);
    const kept = await recording('old-long', longExam.id, 10);
    const orphan = await recording('orphan', 'deleted-exam', 31); // default retention 30 days

    const deleted = await server.app.get(RetentionService).sweep();
    expect(deleted.sort()).toEqual(['old-short', 'orphan']);
    expect([existsSync(old), existsSync(fresh), existsSync(kept), existsSync(orphan)]).toEqual([false, true, true, false]);
    expect(path.dirname(old)).toBe(path.join(server.dataDir, 'streams'));

    const audit = (await admin.get('/api/audit?action=recording.delete')).body as { actor: string; targetId: string }[];
    expect(audit.map((e) => [e.actor, e.targetId]).sort()).toEqual([
      ['system', 'old-short'],
      ['system', 'orphan'],
    ]);
    expect(await server.app.get(RetentionService).sweep()).toEqual([]); // nothing left to do
  });
});
