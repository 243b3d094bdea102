// The dashboard's one stylesheet (/app/style.css). Charts draw with presentation attributes,
// which these class rules override for dark mode; the print rules make the summary a clean PDF.
#include "adapters/web/dashboard_pages.h"

namespace okrbot::web {

const char kStylesheet[] = R"css(
:root { --fg: #1f2937; --muted: #6b7280; --bg: #ffffff; --card: #f9fafb; --line: #e5e7eb;
        --link: #0072B2; --ok: #009E73; --risk: #E69F00; --off: #D55E00; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e5e7eb; --muted: #9ca3af; --bg: #111827; --card: #1f2937; --line: #374151;
          --link: #56B4E9; }
  .okr-bg { fill: #1f2937; }
  .okr-label, .okr-title, .okr-axis text { fill: #e5e7eb; }
  .okr-grid, .okr-axis { stroke: #4b5563; }
  .okr-bar-track { fill: #374151; }
  .okr-line { stroke: #56B4E9; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 "DejaVu Sans", Arial, sans-serif; color: var(--fg);
       background: var(--bg); }
a { color: var(--link); }
header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center;
             padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--card); }
header.top .brand { font-weight: bold; text-decoration: none; }
header.top nav a { margin-right: .8rem; }
header.top nav a[aria-current] { font-weight: bold; text-decoration: none; }
header.top .who { margin-left: auto; color: var(--muted); }
form.signout { display: inline; }
main { max-width: 980px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.5rem; margin: .4rem 0 .8rem; }
h2 { font-size: 1.15rem; margin: 1.2rem 0 .4rem; }
.meta { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
section.objective { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
                    padding: .6rem 1rem; margin: .8rem 0; }
section.objective h2 { margin: .2rem 0; }
section.depth-1 { margin-left: 1.5rem; } section.depth-2 { margin-left: 3rem; }
section.depth-3, section.depth-4 { margin-left: 4.5rem; }
ul.krs { list-style: none; padding: 0; margin: .3rem 0; }
ul.krs li { padding: .25rem 0; border-top: 1px solid var(--line); }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem;
         border: 1px solid currentColor; }
.badge.okr-on-track { color: var(--ok); } .badge.okr-at-risk { color: var(--risk); }
.badge.okr-off-track { color: var(--off); }
.badge.stale { color: var(--off); font-weight: bold; } .badge.away { color: var(--muted); }
.figure { font-variant-numeric: tabular-nums; font-weight: bold; }
form.filters { display: flex; flex-wrap: wrap; gap: .8rem; align-items: end; margin-bottom: .6rem; }
label { display: inline-flex; flex-direction: column; gap: .2rem; font-size: .9rem; }
form.checkin { display: flex; flex-wrap: wrap; gap: .8rem; align-items: end; padding: .6rem 1rem;
               border: 1px solid var(--line); border-radius: 8px; background: var(--card); }
form.checkin h2 { width: 100%; margin: 0; }
input, select, textarea, button { font: inherit; padding: .3rem .5rem; color: var(--fg);
                                  background: var(--bg); border: 1px solid var(--line);
                                  border-radius: 6px; }
button { cursor: pointer; background: var(--link); color: #fff; border-color: var(--link); }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line);
         vertical-align: top; }
td.indent { padding-left: 1.6rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
figure.chart { margin: 1rem 0; } figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
.notice { padding: .5rem .8rem; border-radius: 6px; border: 1px solid var(--line); }
.notice.ok { border-color: var(--ok); } .notice.error { border-color: var(--off); }
.print-only { display: none; }
@media print {
  header.top, .noprint, form { display: none !important; }
  .print-only { display: block; }
  body { background: #fff; color: #000; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section.objective, tr { break-inside: avoid; }
  a { color: #000; text-decoration: none; }
}
)css";

}  // namespace okrbot::web
