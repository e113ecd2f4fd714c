import { describe, expect, it } from 'vitest';
import { accessMatrix, cellKey } from '../../../shared/core/access/matrix.js';
import { explainModel } from '../../../shared/core/explain/explain.js';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import { readSnapshotFolder } from '../../../shared/snapshot/read-folder.js';
import { syntheticAccount } from '../../support/synthetic-account.js';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('accessMatrix', () => {
  it('agrees with explainModel route by route for every principal of the demo account', async () => {
    const snapshot = await readSnapshotFolder('examples/demo/snapshot');
    const models = [...new Set(snapshot.foundationModels.map((m) => m.modelId))];
    const regions = snapshot.account.regions;
    const groups = accessMatrix(snapshot, { models, regions, now: NOW });
    expect(groups.flatMap((g) => g.principals).length).toBe(snapshot.principals.length);
    let compared = 0;
    for (const group of groups) {
      for (const principal of group.principals) {
        for (const modelId of models) {
          for (const region of regions) {
            const slow = explainModel(snapshot, { principal: principal.arn, modelId, region, now: NOW });
            const fast = group.cells.get(cellKey(modelId, region));
            expect(
              fast?.allowed.map((r) => r.id),
              `${principal.arn} ${modelId} ${region}`,
            ).toEqual(slow.routes.filter((r) => r.allowed).map((r) => r.route.id));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('decides principals with equal decision keys once, and agrees with a per-principal sweep', () => {
    const snapshot = buildSnapshot(
      syntheticAccount({ principals: 300, models: 6, regions: ['us-east-1', 'us-west-2'], seed: 7 }),
    );
    const models = [...new Set(snapshot.foundationModels.map((m) => m.modelId))];
    const regions = ['us-east-1', 'us-west-2'];
    const grouped = accessMatrix(snapshot, { models, regions, now: NOW });
    expect(grouped.length).toBeLessThan(snapshot.principals.length);
    for (const group of grouped) {
      for (const principal of group.principals.slice(0, 3)) {
        const [alone] = accessMatrix(snapshot, { models, regions, principals: [principal], now: NOW });
        for (const [key, cell] of group.cells) {
          expect(
            alone?.cells.get(key)?.allowed.map((r) => r.id),
            `${principal.arn} ${key}`,
          ).toEqual(cell.allowed.map((r) => r.id));
        }
      }
    }
  });
});
