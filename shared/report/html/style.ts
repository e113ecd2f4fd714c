/**
 * The report's stylesheet, inlined in a `<style>` element so the page needs no
 * other file (the page's CSP allows inline styles, not style URLs). It follows
 * the reader's light or dark scheme, and prints every row without the controls.
 */
export const CSS = `
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--accent:#0969da;
--ok-bg:#d2f4dc;--ok:#116329;--bad-bg:#ffd7d5;--bad:#a40e26;--warn-bg:#fbefc1;--warn:#7d4e00;
--gap-bg:#ece2ff;--gap:#6639ba;--info-bg:#ddf4ff;--info:#0550ae;--cell:22px;
font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Liberation Sans",sans-serif;color:var(--fg);background:var(--bg)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;--accent:#4493f8;
--ok-bg:#173d23;--ok:#56d364;--bad-bg:#5c1a1d;--bad:#ff9492;--warn-bg:#45300a;--warn:#e3b341;
--gap-bg:#33245a;--gap:#c297ff;--info-bg:#0f2f52;--info:#79c0ff}}
*{box-sizing:border-box}
body{margin:0;padding:16px 24px 24px}
h1{font-size:20px;margin:0 0 8px}h2{font-size:15px;margin:24px 0 8px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace}
a{color:var(--accent)}
.muted{color:var(--muted)}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.meta{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0 0 12px}.meta div{display:flex;gap:6px;align-items:baseline}
.meta dt{color:var(--muted)}.meta dd{margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:var(--panel);min-width:220px}
.card h2{margin:0 0 6px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.card h2 .n{color:var(--fg);font-size:13px}
.chip{display:inline-block;margin:2px 4px 2px 0;padding:1px 8px;border-radius:10px;background:var(--bg);border:1px solid var(--line)}
.chip.zero{background:var(--bg);color:var(--muted);border-color:var(--line)}.sub{color:var(--muted);margin-right:6px}
nav{display:flex;gap:16px;margin:12px 0 0;padding-top:8px;border-top:1px solid var(--line)}
.pill{padding:1px 8px;border-radius:10px;font-weight:600;text-decoration:none}
.ok{background:var(--ok-bg);color:var(--ok)}.bad{background:var(--bad-bg);color:var(--bad)}
.alert-box{border:1px solid var(--bad);background:var(--bad-bg);color:var(--fg);border-radius:6px;padding:8px 14px;margin:16px 0}
.alert-box h2{margin:4px 0;color:var(--bad)}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;gap:8px 14px;margin:0 0 8px}
.toolbar input[type=search]{font:inherit;padding:4px 8px;min-width:260px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;border:0;margin:0;padding:0}
.lg{display:inline-flex;align-items:center;gap:4px;cursor:pointer;white-space:nowrap}
.lg input{margin:0}
output{color:var(--muted);font-variant-numeric:tabular-nums}
.c{text-align:center;font-weight:700}
.sw{display:inline-block;width:18px;height:18px;line-height:18px;border-radius:3px;border:1px solid var(--line)}
.c-a{background:var(--ok-bg);color:var(--ok)}.c-e{background:var(--bad-bg);color:var(--bad)}
.c-c{background:var(--warn-bg);color:var(--warn)}.c-d{background:var(--gap-bg);color:var(--gap)}.c-n{background:transparent}
.mx-wrap{overflow:auto;max-height:78vh;width:fit-content;max-width:100%;border:1px solid var(--line);border-radius:6px}
table{border-collapse:separate;border-spacing:0}
.mx{font-size:12px}
.mx th,.mx td{border-bottom:1px solid var(--line);white-space:nowrap}
.mx thead th{position:sticky;top:0;z-index:2;background:var(--panel);text-align:left;vertical-align:bottom;padding:4px 6px}
.mx th.p{position:sticky;left:0;z-index:1;background:var(--bg);text-align:left;font-weight:400;padding:2px 8px;min-width:12em;max-width:18em;overflow:hidden;text-overflow:ellipsis;border-right:1px solid var(--line)}
.mx thead th.p{z-index:3;background:var(--panel)}
.mx td.k,.mx td.t{padding:2px 8px;color:var(--muted)}.mx td.t{max-width:12em;overflow:hidden;text-overflow:ellipsis}
.mx th.m{width:var(--cell);min-width:var(--cell);max-width:var(--cell);padding:6px 0;text-align:center}
.mx th.m span{writing-mode:vertical-rl;transform:rotate(180deg);display:inline-block;max-height:24em;overflow:hidden;text-overflow:ellipsis;font-weight:500;font-size:11px}
.mx td.c{width:var(--cell);height:var(--cell);padding:0;border-left:1px solid var(--bg);font-size:12px}
.mx tbody tr:hover th,.mx tbody tr:hover td.k,.mx tbody tr:hover td.t{background:var(--panel)}
.mx tbody tr:hover td.c-n{background:var(--panel)}
.mx tr.pad td{padding:0;border:0}
.pr{font-weight:600}
.pl{color:inherit;text-decoration:none;font-weight:600}.pl:hover{text-decoration:underline}
.badge{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;font-weight:600;line-height:18px;white-space:nowrap;border:1px solid transparent}
.ex{background:var(--gap-bg);color:var(--gap)}
.sev-critical{background:var(--bad);color:var(--bg)}.sev-high{background:var(--bad-bg);color:var(--bad)}
.sev-medium{background:var(--warn-bg);color:var(--warn)}.sev-low{background:var(--info-bg);color:var(--info)}
.sev-info{background:var(--panel);color:var(--muted);border-color:var(--line)}
.st-open{background:var(--bad-bg);color:var(--bad)}.st-contained{background:var(--warn-bg);color:var(--warn)}
.st-exempt{background:var(--gap-bg);color:var(--gap)}
.chip.sev-critical b,.chip.sev-critical{color:var(--bg)}.chip.zero.sev-critical,.chip.zero.sev-critical b{color:var(--muted)}
.act-put{background:var(--info-bg);color:var(--info)}.act-remove{background:var(--panel);color:var(--fg);border-color:var(--line)}
.act-alert{background:var(--warn-bg);color:var(--warn)}
.ch-create{background:var(--ok-bg);color:var(--ok)}.ch-update{background:var(--warn-bg);color:var(--warn)}
.tbl-wrap{overflow-x:auto}
.actions td:first-child{white-space:nowrap}
.findings,.actions{width:100%;font-size:12px}
.findings th,.findings td,.actions th,.actions td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.findings thead th,.actions thead th{background:var(--panel);position:sticky;top:0;z-index:1;white-space:nowrap}
.sort{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer}
.sort::after{content:" ↕";color:var(--muted);font-weight:400}
th[aria-sort=ascending] .sort::after{content:" ▲";color:var(--fg)}th[aria-sort=descending] .sort::after{content:" ▼";color:var(--fg)}
.findings td.msg{min-width:22em;max-width:56em}.nw{white-space:nowrap}
.findings .fix{color:var(--muted);margin-top:2px}.findings .fix::before{content:"→ "}
.findings .ev{color:var(--muted);margin-top:2px}
.findings code,.actions code{overflow-wrap:break-word}.findings td.rule{min-width:11em}.findings td.w{min-width:10em}
.size{margin:4px 0;color:var(--muted)}.bar{display:inline-block;vertical-align:middle;width:90px;height:6px;border-radius:3px;background:var(--line);overflow:hidden}
.bar span{display:block;height:100%;background:var(--info)}.size.near .bar span{background:var(--bad)}
details summary{cursor:pointer;color:var(--accent)}
pre{margin:6px 0;padding:8px;background:var(--panel);border:1px solid var(--line);border-radius:6px;max-height:360px;overflow:auto}
.warnings li{margin:2px 0}
.empty{color:var(--muted);padding:8px;margin:0}
.more{font:inherit;margin:8px 0;padding:4px 12px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer}
footer{margin-top:28px;color:var(--muted);font-size:11px}
@media print{:root{--bg:#fff;--fg:#000;font-size:10px}body{padding:0}.no-print,nav{display:none}
.mx-wrap{max-height:none;overflow:visible;border:0}.mx thead th,.mx th.p,.findings thead th{position:static}
tr{break-inside:avoid}pre{max-height:none}}
`.trim();
