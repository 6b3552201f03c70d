/**
 * The HTML report's inline style and script, and a Content-Security-Policy that allows exactly
 * these two by hash. Every value on the page is escaped already; the policy is the second lock, so
 * that a slip in escaping still cannot run a model's `<script>` or load anything from the network.
 */
import { createHash } from 'node:crypto';

/** The page's style: readable rows, thumbnails, and `hidden` rows that stay hidden. */
export const REPORT_STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --ok: #15803d; --bad: #b91c1c; --panel: #f9fafb; }
@media (prefers-color-scheme: dark) { :root { --line: #374151; --panel: #111827; --muted: #9ca3af; } }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 0; display: inline; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0; padding: 8px 10px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; max-height: 24em; overflow: auto; }
.muted, .meta { color: var(--muted); }
.totals { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 12px 0; padding: 0; list-style: none; }
.totals b { display: block; font-size: 18px; }
.note { padding: 8px 12px; border-left: 4px solid #d97706; background: var(--panel); }
.filter { display: none; gap: 8px; margin: 12px 0; align-items: center; }
.js .filter { display: flex; }
.filter a { padding: 4px 12px; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; color: inherit; }
.filter a[aria-current="true"] { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
[hidden] { display: none !important; }
.row { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; padding: 12px 16px; }
.row[data-status="failed"], .row[data-status="interrupted"] { border-left: 5px solid var(--bad); }
.row[data-status="succeeded"] { border-left: 5px solid var(--ok); }
.row > header { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; }
.badge { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px; border: 1px solid currentColor; }
.badge.succeeded { color: var(--ok); }
.badge.failed, .badge.interrupted, .badge.aborted, .badge.canceled { color: var(--bad); }
.badge.skipped { color: var(--muted); }
dl.inputs { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
dl.inputs dt { font-weight: 600; }
dl.inputs dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.error { color: var(--bad); margin: 8px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.chain { margin: 8px 0 0; padding-left: 22px; }
ol.chain > li { margin: 10px 0; }
.step-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
figure { display: inline-block; margin: 6px 12px 6px 0; vertical-align: top; }
img.thumb { display: block; max-width: 256px; max-height: 256px; border: 1px solid var(--line); border-radius: 4px; cursor: zoom-in; image-rendering: auto; }
img.thumb.large { max-width: 100%; max-height: none; cursor: zoom-out; }
figcaption { font-size: 12px; color: var(--muted); }
details summary { cursor: pointer; color: var(--muted); font-size: 12px; }
`;

/**
 * The page's script: the status filter and click-to-enlarge thumbnails. The filter lives in the
 * URL fragment (`#failed`), so a link or a headless browser can open the page pre-filtered. Without
 * JavaScript the filter bar stays hidden and every row shows.
 */
export const REPORT_SCRIPT = `
(function () {
  var filters = ['all', 'succeeded', 'failed'];
  var rows = document.querySelectorAll('article.row');
  var links = document.querySelectorAll('.filter a');
  var shown = document.getElementById('shown');
  function matches(status, filter) {
    if (filter === 'all') return true;
    if (filter === 'succeeded') return status === 'succeeded';
    return status !== 'succeeded';
  }
  function apply() {
    var wanted = decodeURIComponent(location.hash.slice(1));
    var filter = filters.indexOf(wanted) === -1 ? 'all' : wanted;
    var count = 0;
    for (var index = 0; index < rows.length; index += 1) {
      var visible = matches(rows[index].getAttribute('data-status'), filter);
      rows[index].hidden = !visible;
      if (visible) count += 1;
    }
    for (var linkIndex = 0; linkIndex < links.length; linkIndex += 1) {
      var link = links[linkIndex];
      if (link.getAttribute('href') === '#' + filter) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
    document.body.setAttribute('data-filter', filter);
    if (shown) shown.textContent = count + ' of ' + rows.length + ' rows shown';
  }
  document.documentElement.classList.add('js');
  window.addEventListener('hashchange', apply);
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains('thumb')) target.classList.toggle('large');
  });
  apply();
})();
`;

function sourceHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/** The policy for the report's `<meta http-equiv>`: no network, only data: images, only our own style and script. */
export const REPORT_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  'img-src data:',
  `style-src ${sourceHash(REPORT_STYLE)}`,
  `script-src ${sourceHash(REPORT_SCRIPT)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
