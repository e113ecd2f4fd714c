import { accessMatrix, cellKey } from '../core/access/matrix.js';
import type { ContextValue } from '../core/iam/types.js';
import type { Snapshot } from '../core/snapshot/types.js';
import type { Style } from './style.js';

export interface WhoCanRow {
  readonly principal: string;
  readonly kind: string;
  readonly allowedRoutes: readonly string[];
  readonly routes: number;
}

/** `explain --model M --region R` without `--principal`: every principal's allowed routes to the model. */
export function whoCan(
  snapshot: Snapshot,
  modelId: string,
  region: string,
  context: Record<string, ContextValue>,
): WhoCanRow[] {
  const groups = accessMatrix(snapshot, { models: [modelId], regions: [region], context });
  const rows = groups.flatMap((g) => {
    const cell = g.cells.get(cellKey(modelId, region));
    const allowedRoutes = cell?.allowed.map((r) => r.id) ?? [];
    return g.principals.map((p) => ({
      principal: p.arn,
      kind: p.kind,
      allowedRoutes,
      routes: cell?.routes.length ?? 0,
    }));
  });
  return rows.sort((a, b) => b.allowedRoutes.length - a.allowedRoutes.length || a.principal.localeCompare(b.principal));
}

export function renderWhoCan(rows: readonly WhoCanRow[], modelId: string, region: string, style: Style): string {
  const can = rows.filter((r) => r.allowedRoutes.length > 0);
  const lines = [
    `${style.bold(modelId)} in ${region}: ${can.length} of ${rows.length} principals have at least one route`,
  ];
  for (const r of rows) {
    const mark = r.allowedRoutes.length > 0 ? style.green('✓') : style.dim('·');
    const detail = r.allowedRoutes.length > 0 ? r.allowedRoutes.join(', ') : style.dim('no route');
    lines.push(`  ${mark} ${r.principal}  ${style.dim(`${r.allowedRoutes.length}/${r.routes}`)}  ${detail}`);
  }
  lines.push(style.dim(`  (explain --principal ARN --model ${modelId} --region ${region} shows why, route by route)`));
  return lines.join('\n');
}
