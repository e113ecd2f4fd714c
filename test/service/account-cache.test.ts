import { beforeAll, describe, expect, it } from 'vitest';
import { filesInScope } from '../../shared/core/events/scope.js';
import { DEFAULT_QUOTAS, type IamQuotas } from '../../shared/core/plan/quotas.js';
import type { SnapshotFiles } from '../../shared/core/snapshot/files.js';
import { readSnapshotFiles } from '../../shared/snapshot/read-folder.js';
import { type AccountCapture, AccountCache } from '../../shared/service/account-cache.js';

const viewOf = async (cache: AccountCache) => (await cache.load()).view;

const ACCOUNT = '111122223333';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/PlatformAdmin/bedrock-guard-session`;
const MINUTE = 60_000;

let files: SnapshotFiles;

beforeAll(async () => {
  files = await readSnapshotFiles('examples/demo/snapshot');
});

/** An AccountCache over the demo snapshot with a clock the test moves, counting captures. */
function cacheOf(options: { rolePrefix?: string; capture?: Partial<AccountCapture>; maxAgeMs?: number } = {}) {
  const state = { now: 1_000_000, captures: 0 };
  const cache = new AccountCache(
    async () => {
      state.captures++;
      return { files, ...options.capture };
    },
    {
      maxAgeMs: options.maxAgeMs ?? 15 * MINUTE,
      now: () => state.now,
      ...(options.rolePrefix ? { rolePrefix: options.rolePrefix } : {}),
    },
  );
  return { cache, state };
}

/** The demo files with one role's tags replaced. */
function retagged(roleName: string, tags: { Key: string; Value: string }[]): SnapshotFiles {
  const iam = files.iam as Record<string, Record<string, unknown>[]>;
  const roles = (iam.RoleDetailList ?? []).map((r) => (r.RoleName === roleName ? { ...r, Tags: tags } : r));
  return { ...files, iam: { ...iam, RoleDetailList: roles } };
}

describe('AccountCache', () => {
  it('captures on the first get and reuses the view afterwards', async () => {
    const { cache, state } = cacheOf();
    const first = await viewOf(cache);
    expect(state.captures).toBe(1);
    expect(first.files).toBe(files);
    expect(first.snapshot.account.accountId).toBe(ACCOUNT);
    expect(first.capturedAt).toBe(1_000_000);
    state.now += 5 * MINUTE;
    expect(await viewOf(cache)).toBe(first);
    expect(state.captures).toBe(1);
  });

  it('reuses the view up to maxAgeMs, and captures again after', async () => {
    const { cache, state } = cacheOf({ maxAgeMs: 15 * MINUTE });
    const first = await viewOf(cache);
    state.now += 15 * MINUTE;
    expect(await viewOf(cache)).toBe(first);
    state.now += 1;
    const second = await viewOf(cache);
    expect(state.captures).toBe(2);
    expect(second).not.toBe(first);
    expect(second.capturedAt).toBe(state.now);
    expect(await viewOf(cache)).toBe(second);
    expect(state.captures).toBe(2);
  });

  it('captures on every get when maxAgeMs is 0 and time moves', async () => {
    const { cache, state } = cacheOf({ maxAgeMs: 0 });
    await viewOf(cache);
    state.now += 1;
    await viewOf(cache);
    expect(state.captures).toBe(2);
  });

  it('refresh() always captures, and get() then serves the fresh view', async () => {
    const { cache, state } = cacheOf();
    await viewOf(cache);
    const fresh = await cache.refresh();
    const again = await cache.refresh();
    expect(state.captures).toBe(3);
    expect(again).not.toBe(fresh);
    expect(await viewOf(cache)).toBe(again);
    expect(state.captures).toBe(3);
  });

  it('keeps what the capture says: quotas (else the defaults), warnings and the caller', async () => {
    expect((await viewOf(cacheOf().cache)).quotas).toBe(DEFAULT_QUOTAS);
    const quotas: IamQuotas = { ...DEFAULT_QUOTAS };
    const view = await viewOf(cacheOf({ capture: { quotas, warnings: ['w1'], callerArn: SESSION } }).cache);
    expect(view.quotas).toBe(quotas);
    expect(view.warnings).toEqual(['w1']);
    expect(view.callerArn).toBe(SESSION);
    const offline = await viewOf(cacheOf().cache);
    expect(offline).not.toHaveProperty('callerArn');
    expect(offline.warnings).toEqual([]);
  });

  it('update() rebuilds the snapshot from the files, keeps capturedAt and merges warnings', async () => {
    const { cache, state } = cacheOf({ capture: { warnings: ['w1'], callerArn: SESSION } });
    const before = await viewOf(cache);
    expect(before.snapshot.principal(role('Playground'))?.tags).toEqual({ team: 'experiments' });
    state.now += MINUTE;
    const changed = retagged('Playground', [{ Key: 'team', Value: 'data-science' }]);
    const after = cache.update(changed, ['w1', 'w2']);
    expect(after.files).toBe(changed);
    expect(after.snapshot.principal(role('Playground'))?.tags).toEqual({ team: 'data-science' });
    expect(after.capturedAt).toBe(before.capturedAt);
    expect(after.callerArn).toBe(SESSION);
    expect(after.warnings).toEqual(['w1', 'w2']);
    expect(await viewOf(cache)).toBe(after);
    expect(state.captures).toBe(1);
  });

  it('update() before any capture is a programming error', () => {
    expect(() => cacheOf().cache.update(files)).toThrow(/before the first capture/);
  });

  describe('protected principals', () => {
    it("include the caller's role when the caller is an assumed-role session", async () => {
      const view = await viewOf(cacheOf({ capture: { callerArn: SESSION } }).cache);
      expect([...view.protectedPrincipals.keys()]).toEqual([role('PlatformAdmin')]);
      expect(view.protectedPrincipals.get(role('PlatformAdmin'))).toContain(SESSION);
    });

    it('include the caller given as a role or user ARN', async () => {
      const asRole = await viewOf(cacheOf({ capture: { callerArn: role('BatchJobs') } }).cache);
      expect([...asRole.protectedPrincipals.keys()]).toEqual([role('BatchJobs')]);
      const bob = `arn:aws:iam::${ACCOUNT}:user/bob`;
      const asUser = await viewOf(cacheOf({ capture: { callerArn: bob } }).cache);
      expect([...asUser.protectedPrincipals.keys()]).toEqual([bob]);
    });

    it('are none offline, or for the root or a caller outside the account', async () => {
      expect((await viewOf(cacheOf().cache)).protectedPrincipals.size).toBe(0);
      const root = await viewOf(cacheOf({ capture: { callerArn: `arn:aws:iam::${ACCOUNT}:root` } }).cache);
      expect(root.protectedPrincipals.size).toBe(0);
      const elsewhere = 'arn:aws:sts::444455556666:assumed-role/Elsewhere/s';
      expect((await viewOf(cacheOf({ capture: { callerArn: elsewhere } }).cache)).protectedPrincipals.size).toBe(0);
    });

    it("include every role named with the guard's prefix, and no user", async () => {
      const view = await viewOf(cacheOf({ rolePrefix: 'Bedrock', capture: { callerArn: SESSION } }).cache);
      expect([...view.protectedPrincipals.keys()].sort()).toEqual(
        [role('BedrockBatchServiceRole'), role('PlatformAdmin')].sort(),
      );
      expect(view.protectedPrincipals.get(role('BedrockBatchServiceRole'))).toMatch(/Bedrock\*/);
      // The caller's reason is kept when it also carries the prefix.
      const own = await viewOf(cacheOf({ rolePrefix: 'Platform', capture: { callerArn: SESSION } }).cache);
      expect([...own.protectedPrincipals.keys()]).toEqual([role('PlatformAdmin')]);
      expect(own.protectedPrincipals.get(role('PlatformAdmin'))).toContain(SESSION);
    });

    it('are worked out again on update()', async () => {
      const { cache } = cacheOf({ rolePrefix: 'Bedrock', capture: { callerArn: SESSION } });
      await viewOf(cache);
      const without = filesInScope(files, { kind: 'principals', arns: new Set([role('Playground')]) });
      expect([...cache.update(without).protectedPrincipals.keys()]).toEqual([]);
      expect([...cache.update(files).protectedPrincipals.keys()].sort()).toEqual(
        [role('BedrockBatchServiceRole'), role('PlatformAdmin')].sort(),
      );
    });
  });
});
