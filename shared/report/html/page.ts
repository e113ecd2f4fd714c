import { createHash } from 'node:crypto';
import type { Plan } from '../../core/plan/types.js';
import { SEVERITIES } from '../../core/policy-file/types.js';
import { actionsHtml } from './actions.js';
import { CLIENT_JS } from './client.js';
import { escapeHtml, scriptJson } from './escape.js';
import { findingData, findingsHtml } from './findings.js';
import { headerHtml, selfCheckHtml } from './header.js';
import { matrixData, matrixHtml } from './matrix.js';
import { CSS } from './style.js';

/**
 * `plan --report FILE.html`: one self-contained page (inline CSS and script,
 * no URL of any kind) with the plan's header, access matrix, findings, actions
 * and warnings. The matrix and the findings table are drawn by the page's
 * script from JSON embedded in the page (matrix.ts says why); the rest is
 * markup.
 */

/** Renders the plan as one HTML page. Pure: the same plan gives the same bytes. */
export function renderHtmlReport(plan: Plan): string {
  const data = scriptJson(clientData(plan));
  const title = `bedrock-guard plan · ${plan.account}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${headerHtml(plan)}
<main>
${selfCheckHtml(plan)}
${matrixHtml(plan)}
${findingsHtml(plan)}
${actionsHtml(plan.actions)}
${warningsHtml(plan.warnings)}
</main>
<footer>bedrock-guard plan report · self-contained: no network, no external files.</footer>
<script type="application/json" id="bg-data">${data}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}

function warningsHtml(warnings: readonly string[]): string {
  return `<section id="warnings">
<h2>Warnings</h2>
${warnings.length === 0 ? '<p class="empty">No warnings.</p>' : `<ul class="warnings">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`}
</section>`;
}

/** The JSON the page's script reads (see client.ts). */
function clientData(plan: Plan) {
  return {
    policyFile: plan.policyFile,
    severities: SEVERITIES,
    ...matrixData(plan),
    findings: plan.findings.map(findingData),
  };
}

/** Nothing loads from anywhere; inline styles apply, and the one script runs by its hash. */
const CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${createHash('sha256').update(CLIENT_JS).digest('base64')}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
