import type { ShareLinkView } from '@vigil/api';
import { ForbiddenException, GoneException, Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/principal';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { loadServerSecret } from '../seats-api/server-secret';
import { ShareClaims, ShareTokenError, shareTokenKey, signShareToken, verifyShareToken } from './share-token';

/** Longest a share link may live, minutes (7 days). */
export const SHARE_MAX_MINUTES = 7 * 24 * 60;

/**
 * Signed, short-lived playback links for reviewers without an account (e.g. an exam board):
 * a token covers one stream and one time range until it expires; creating and using one
 * goes into the audit log (`recording.share`, `recording.share.use`).
 */
@Injectable()
export class RecordingShareService {
  private key: Promise<Buffer> | null = null;

  constructor(
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
    private readonly audit: AuditService,
  ) {}

  /** Signs a link; `baseUrl` is the public base (`https://proctor.example.org`). */
  async create(actor: Actor, streamId: string, range: { fromMs: number; toMs: number }, minutes: number, baseUrl: string): Promise<ShareLinkView> {
    const expiresAtMs = Date.now() + minutes * 60_000;
    const token = signShareToken(await this.signingKey(), { streamId, ...range, expiresAtMs });
    await this.audit.record(actor, 'recording.share', { type: 'stream', id: streamId }, { ...range, expiresAtMs, minutes });
    const base = `${baseUrl}/api/shared/${token}`;
    return { url: `${base}/recording.mp4`, playlistUrl: `${base}/playlist.m3u8`, ...range, expiresAtMs };
  }

  /**
   * Checks a link's token.
   * @throws ForbiddenException (403) for a forged or malformed token; GoneException (410) once expired
   */
  async verify(token: string): Promise<ShareClaims> {
    try {
      return verifyShareToken(await this.signingKey(), token, Date.now());
    } catch (e) {
      if (e instanceof ShareTokenError && e.problem === 'expired') throw new GoneException(e.message);
      if (e instanceof ShareTokenError) throw new ForbiddenException(e.message);
      throw e;
    }
  }

  /** Notes one use of a link (the playlist or the MP4, not every segment). */
  async recordUse(claims: ShareClaims, what: string, ip: string | null): Promise<void> {
    await this.audit.record({ principal: null, ip }, 'recording.share.use', { type: 'stream', id: claims.streamId }, { what, fromMs: claims.fromMs, toMs: claims.toMs, expiresAtMs: claims.expiresAtMs });
  }

  private signingKey(): Promise<Buffer> {
    this.key ??= loadServerSecret(this.config, { log: () => undefined, warn: () => undefined }).then(shareTokenKey);
    return this.key;
  }
}
