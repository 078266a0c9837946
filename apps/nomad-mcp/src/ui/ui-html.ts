/**
 * The approval page's HTML: plain server-rendered markup, no script, every value escaped where it is written.
 * Values go through `html` tagged templates (escaped unless already Html); raw() marks markup made here.
 */

/** Markup that is already safe to write as it is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function part(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

/** A template whose interpolated values are escaped (arrays joined, Html kept, null/undefined/false dropped). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => (out += part(v) + strings[i + 1]));
  return new Html(out);
}

/** A query string from the set values (for links that keep filters). */
export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
header{background:#1f2937;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
header a{color:#e5e7eb;text-decoration:none}header a:hover{text-decoration:underline}
header .who{margin-left:auto;font-size:13px;color:#cbd5e1}
header form{display:inline;margin:0}header button{font-size:13px}
main{padding:20px 24px;max-width:1200px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:17px;margin:22px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #e5e7eb;padding:5px 8px;text-align:left;vertical-align:top}th{background:#f3f4f6}
pre{background:#fff;border:1px solid #e5e7eb;padding:10px;overflow:auto;font-size:12.5px;white-space:pre-wrap}
.notice{padding:8px 12px;border-radius:4px;margin:0 0 14px;background:#e0f2fe}.notice.bad{background:#fee2e2}
.status{font-weight:600}.status-pending{color:#b45309}.status-approved,.status-applied,.outcome-ok{color:#047857}
.status-denied,.status-expired,.outcome-denied,.outcome-error{color:#b91c1c}
form.decide{display:inline-block;margin-right:12px}button{padding:6px 14px;font-size:14px;cursor:pointer}
button.approve{background:#047857;color:#fff;border:0;border-radius:4px}button.deny{background:#b91c1c;color:#fff;border:0;border-radius:4px}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:12px}
dl{display:grid;grid-template-columns:max-content auto;gap:4px 16px;background:#fff;padding:10px;border:1px solid #e5e7eb}dt{font-weight:600}dd{margin:0}
`;

export interface LayoutOptions {
  title: string;
  /** The signed-in identity and the session's CSRF token (for the sign-out form); absent on the sign-in page. */
  who?: { name: string; csrf: string };
  notice?: { text: string; bad?: boolean };
}

/** A whole page: header with navigation (when signed in), an optional notice, the body. */
export function layout(o: LayoutOptions, body: Html): string {
  const nav = o.who
    ? html`<a href="/ui/approvals">Pending changes</a><a href="/ui/audit">Audit trail</a>
<span class="who">signed in as <strong>${o.who.name}</strong></span>
<form method="post" action="/ui/logout"><input type="hidden" name="csrf" value="${o.who.csrf}"><button type="submit">Sign out</button></form>`
    : html``;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin"><title>${o.title} · Nomad MCP</title><style>${new Html(STYLE)}</style></head>
<body><header><strong>Nomad MCP</strong>${nav}</header><main>
${o.notice ? html`<p class="notice${o.notice.bad ? ' bad' : ''}" role="status">${o.notice.text}</p>` : ''}
<h1>${o.title}</h1>
${body}
</main></body></html>`.text;
}

/** A table from rows of cells (cells are escaped unless Html). */
export function table(headers: string[], rows: unknown[][], empty: string): Html {
  if (!rows.length) return html`<p>${empty}</p>`;
  return html`<table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table>`;
}
