/** The site's one stylesheet (served as assets/site.css). System fonts only: no network. */
export const SITE_CSS = `:root {
  --fg: #1b1f24;
  --muted: #57606a;
  --line: #d0d7de;
  --bg-soft: #f6f8fa;
  --pass: #1a7f37;
  --warn: #9a6700;
  --fail: #cf222e;
  --error: #57606a;
  --under: #b54400;
  --over: #005a8e;
}
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); line-height: 1.5; }
body { margin: 0; }
a { color: #0550ae; }
a:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.site-header, main, .site-footer { max-width: 104rem; margin: 0 auto; padding: 0 1.25rem; }
.site-header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; padding-top: 1rem; padding-bottom: 0.5rem; border-bottom: 1px solid var(--line); }
.site-name { font-weight: 700; text-decoration: none; color: var(--fg); }
.breadcrumb ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem; margin: 0; padding: 0; }
.breadcrumb li + li::before { content: "›"; margin-right: 0.25rem; color: var(--muted); }
h1 { font-size: 1.6rem; margin: 1.25rem 0 0.5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid var(--line); padding-bottom: 0.25rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; overflow-wrap: anywhere; }
h4 { font-size: 1rem; margin: 1.25rem 0 0.4rem; overflow-wrap: anywhere; }
.finding { border-left: 4px solid var(--warn); background: #fff8e1; padding: 0.4rem 0.75rem; overflow-wrap: anywhere; }
ul.sentences { padding-left: 1.25rem; overflow-wrap: anywhere; }
td.hidden-cell { color: var(--muted); font-style: italic; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 1rem; font-size: 0.85rem; font-weight: 600; color: #fff; text-transform: uppercase; letter-spacing: 0.02em; }
.badge-pass { background: var(--pass); }
.badge-warn { background: var(--warn); }
.badge-fail { background: var(--fail); }
.badge-error { background: var(--error); }
.badge-large { font-size: 1.1rem; padding: 0.15rem 0.8rem; }
.verdict { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; }
.checks { list-style: none; padding: 0; }
.checks li { margin: 0.3rem 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; caption-side: top; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; white-space: nowrap; }
td.group { overflow-wrap: anywhere; max-width: 18rem; }
tr.status-suppressed td { color: var(--muted); font-style: italic; }
.status-under { color: var(--under); font-weight: 600; }
.status-over { color: var(--over); font-weight: 600; }
.table-scroll { overflow-x: auto; max-width: 100%; }
.attribute { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.attribute figure { margin: 0; flex: 0 1 auto; max-width: 100%; }
.attribute figcaption { max-width: 30rem; font-size: 0.9rem; }
.chart svg { max-width: 100%; height: auto; display: block; }
.attribute .table-scroll { flex: 1 1 54rem; }
td.status { min-width: 11rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; background: var(--bg-soft); padding: 0 0.2em; border-radius: 3px; overflow-wrap: anywhere; }
.site-footer { margin-top: 3rem; padding-top: 1rem; padding-bottom: 2rem; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.9rem; }
@media print { .site-header nav, .site-footer { display: none; } }
`;
