import { protectCaller } from '../core/apply/protect-caller.js';
import { DEFAULT_QUOTAS, type IamQuotas } from '../core/plan/quotas.js';
import { buildSnapshot } from '../core/snapshot/build.js';
import type { SnapshotFiles } from '../core/snapshot/files.js';
import type { Snapshot } from '../core/snapshot/types.js';

/** The account as the service last read it: kept between invocations of a warm Lambda container. */
export interface AccountView {
  readonly files: SnapshotFiles;
  readonly snapshot: Snapshot;
  readonly quotas: IamQuotas;
  /** The identity the service runs as (absent offline). */
  readonly callerArn?: string;
  /** Never planned against or written to: the running identity and the guard's other roles. */
  readonly protectedPrincipals: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
  /** `Date.now()` of the full capture this view descends from. */
  readonly capturedAt: number;
}

/** A full read of the account: live capture, or a snapshot folder offline. */
export interface AccountCapture {
  readonly files: SnapshotFiles;
  readonly quotas?: IamQuotas;
  readonly callerArn?: string;
  readonly warnings?: readonly string[];
}

/**
 * The warm account. The first event after a cold start (or after `maxAgeMs`)
 * captures the whole account; later events re-read only what they touched
 * and `update` the view, so a typical IAM event costs a handful of calls.
 * The scheduled reconcile captures afresh, which also bounds any drift the
 * cache could hold (an event lost upstream).
 */
export class AccountCache {
  private view: AccountView | undefined;

  constructor(
    private readonly capture: () => Promise<AccountCapture>,
    private readonly options: { readonly maxAgeMs: number; readonly rolePrefix?: string; readonly now?: () => number },
  ) {}

  /**
   * The cached view, captured first when there is none or it is too old, and
   * whether it was just captured (then nothing needs reading again).
   */
  async load(): Promise<{ readonly view: AccountView; readonly captured: boolean }> {
    const now = this.options.now?.() ?? Date.now();
    if (!this.view || now - this.view.capturedAt > this.options.maxAgeMs) {
      return { view: await this.refresh(), captured: true };
    }
    return { view: this.view, captured: false };
  }

  /** A full capture, whatever the cache holds. */
  async refresh(): Promise<AccountView> {
    const captured = await this.capture();
    const snapshot = buildSnapshot(captured.files);
    this.view = {
      files: captured.files,
      snapshot,
      quotas: captured.quotas ?? DEFAULT_QUOTAS,
      ...(captured.callerArn ? { callerArn: captured.callerArn } : {}),
      protectedPrincipals: this.protect(snapshot, captured.callerArn),
      warnings: captured.warnings ?? [],
      capturedAt: this.options.now?.() ?? Date.now(),
    };
    return this.view;
  }

  /** The view with some files read again (by an event, or after writing). */
  update(files: SnapshotFiles, warnings: readonly string[] = []): AccountView {
    if (!this.view) throw new Error('AccountCache.update before the first capture');
    const snapshot = buildSnapshot(files);
    this.view = {
      ...this.view,
      files,
      snapshot,
      protectedPrincipals: this.protect(snapshot, this.view.callerArn),
      warnings: [...new Set([...this.view.warnings, ...warnings])],
    };
    return this.view;
  }

  private protect(snapshot: Snapshot, callerArn: string | undefined): ReadonlyMap<string, string> {
    const out = new Map(callerArn ? protectCaller(snapshot, callerArn) : []);
    const prefix = this.options.rolePrefix;
    if (prefix) {
      for (const p of snapshot.principals) {
        if (p.kind === 'role' && p.name.startsWith(prefix) && !out.has(p.arn))
          out.set(p.arn, `one of bedrock-guard's own roles (${prefix}*)`);
      }
    }
    return out;
  }
}
