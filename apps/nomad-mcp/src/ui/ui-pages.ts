import { AUDIT_OUTCOMES, AuditPage, AuditRecord } from '../audit/audit-record';
import type { TrailQuery } from './approvals.service';
import type { PendingChange } from '../audit/pending-changes.store';
import { html, Html, layout, LayoutOptions, query, table } from './ui-html';

/** The page bodies of /ui; each returns a whole HTML document. */

export function signInPage(loginCsrf: string, notice?: LayoutOptions['notice'], keyless = false): string {
  return layout({ title: 'Sign in', notice }, html`
<p>Sign in with an API key whose identity holds the scope <code>approve</code> or <code>admin</code>. The key is checked once and
never stored: the browser keeps only a session cookie, which ends after an hour or when you sign out.</p>
<form method="post" action="/ui/login">
<input type="hidden" name="csrf" value="${loginCsrf}">
${keyless ? html`<p>No API key is configured: you sign in as the local user.</p><input type="hidden" name="key" value="">`
    : html`<p><label>API key <input type="password" name="key" autocomplete="off" required autofocus size="40"></label></p>`}
<p><button type="submit">Sign in</button></p>
</form>`);
}

const statusCell = (c: PendingChange) => html`<span class="status status-${c.status}">${c.status}</span>`;
const jobLink = (namespace: string | null, job: string | null) =>
  job ? html`<a href="/ui/jobs/${encodeURIComponent(namespace ?? '-')}/${encodeURIComponent(job)}">${namespace ? `${namespace}/` : ''}${job}</a>` : html`—`;

function changeRows(changes: PendingChange[]): unknown[][] {
  return changes.map((c) => [
    html`<a href="/ui/approvals/${c.id}">${c.id}</a>`, c.created_at, c.identity, c.operation, jobLink(c.namespace, c.job), c.plan.summary,
    statusCell(c), c.status === 'pending' ? c.expires_at : c.decided_by ? `${c.decided_by}` : '',
  ]);
}

export function approvalsPage(o: LayoutOptions, waiting: PendingChange[], recent: PendingChange[]): string {
  const decided = recent.filter((c) => c.status !== 'pending');
  return layout(o, html`
<p>Changes an agent asked for that wait for a person (NOMAD_MCP_CONFIRM_BY=human). Open one to read its plan, then approve or deny it.
Approved, the agent applies it with its next call, once, and only if the job has not changed meanwhile.</p>
${table(['Approval', 'Asked at', 'Asked by', 'Operation', 'Job', 'Plan', 'Status', 'Expires'], changeRows(waiting), 'No change is waiting for approval.')}
<h2>Recently decided</h2>
${table(['Approval', 'Asked at', 'Asked by', 'Operation', 'Job', 'Plan', 'Status', 'Decided by'], changeRows(decided), 'Nothing decided yet.')}`);
}

/** Lines of a plan's diff (register_job's `diff`, create_job's and revert_job's `changes`), when it has them. */
function diffLines(plan: PendingChange['plan']): string[] {
  const d = plan.details ?? {};
  for (const key of ['diff', 'changes']) {
    const v = d[key];
    if (Array.isArray(v) && v.every((l) => typeof l === 'string')) return v as string[];
  }
  return [];
}

/** Nomad's per-group plan counts without the zeros (what happens, not the dozen things that do not). */
function nonZero(groups: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(groups).map(([g, counts]) => [g,
    counts && typeof counts === 'object' ? Object.fromEntries(Object.entries(counts as Record<string, unknown>).filter(([, n]) => n !== 0)) : counts]));
}

export function approvalPage(o: LayoutOptions, c: PendingChange, csrf: string, ownChange = false): string {
  const diff = diffLines(c.plan);
  const { diff: _d, changes: _c, ...otherDetails } = c.plan.details ?? {};
  if (otherDetails.groups && typeof otherDetails.groups === 'object') otherDetails.groups = nonZero(otherDetails.groups as Record<string, unknown>);
  const decide = c.status === 'pending' && ownChange
    ? html`<h2>Decision</h2><p>You asked for this change yourself: another person with the scope <code>approve</code> or <code>admin</code> decides on it.</p>`
    : c.status === 'pending'
    ? html`<h2>Decision</h2>
<form class="decide" method="post" action="/ui/approvals/${c.id}/approve"><input type="hidden" name="csrf" value="${csrf}">
<label>Note (optional) <input type="text" name="reason" maxlength="500" size="30"></label> <button class="approve" type="submit">Approve</button></form>
<form class="decide" method="post" action="/ui/approvals/${c.id}/deny"><input type="hidden" name="csrf" value="${csrf}">
<label>Why (optional) <input type="text" name="reason" maxlength="500" size="30"></label> <button class="deny" type="submit">Deny</button></form>`
    : html`<p>This change is <span class="status status-${c.status}">${c.status}</span>${c.decided_by ? html` (decided by <strong>${c.decided_by}</strong> at ${c.decided_at}${c.reason ? html`: “${c.reason}”` : ''})` : ''}.</p>`;
  return layout(o, html`
<dl>
<dt>Operation</dt><dd><strong>${c.operation}</strong></dd>
<dt>Asked by</dt><dd>${c.identity} (over ${c.transport}) at ${c.created_at}</dd>
<dt>Job</dt><dd>${jobLink(c.namespace, c.job)}</dd>
<dt>Status</dt><dd>${statusCell(c)}</dd>
<dt>Expires</dt><dd>${c.expires_at}</dd>
<dt>Job modify index</dt><dd>${c.modify_index ?? 'none (no job yet)'}</dd>
</dl>
<h2>Plan</h2>
<p>${c.plan.summary}</p>
${diff.length ? html`<pre class="diff">${diff.join('\n')}</pre>` : ''}
${Object.keys(otherDetails).length ? html`<pre>${JSON.stringify(otherDetails, null, 2)}</pre>` : ''}
<h2>Arguments</h2>
<p>As the agent sent them, secret values redacted as in the audit trail.</p>
<pre>${JSON.stringify(c.arguments, null, 2)}</pre>
${decide}`);
}

function recordRows(records: AuditRecord[]): unknown[][] {
  return records.map((r) => [
    r.time, r.identity, r.transport, r.operation, jobLink(r.namespace, r.job), html`<span class="outcome-${r.outcome}">${r.outcome}</span>`, r.status,
    r.eval_id ?? '', approvalOf(r), r.error ?? '',
  ]);
}

/** Who approved a change, or which change a decision was about, read from a record's arguments. */
function approvalOf(r: AuditRecord): Html | string {
  const a = r.arguments as { approval?: { approval_id?: string; approved_by?: string }; approval_id?: string; requested_by?: string } | null;
  if (a?.approval?.approval_id) return html`<a href="/ui/approvals/${a.approval.approval_id}">approved by ${a.approval.approved_by}</a>`;
  if (a?.approval_id) return html`<a href="/ui/approvals/${a.approval_id}">${r.operation === 'deny_change' ? 'denied' : 'approved'} for ${a.requested_by}</a>`;
  return '';
}

const RECORD_HEADERS = ['Time', 'Identity', 'Transport', 'Operation', 'Job', 'Outcome', 'Status', 'Evaluation', 'Approval', 'Error'];

export function auditPage(o: LayoutOptions, f: TrailQuery, page: AuditPage): string {
  const v = (s?: string) => s ?? '';
  const next = page.next_cursor
    ? html`<p><a rel="next" href="/ui/audit${query({ identity: f.identity, job: f.job, operation: f.operation, outcome: f.outcome, since: v(f.since), until: v(f.until), cursor: page.next_cursor })}">Next page →</a></p>`
    : '';
  return layout(o, html`
<form class="filters" method="get" action="/ui/audit">
<label>Identity<input name="identity" value="${f.identity}"></label>
<label>Job<input name="job" value="${f.job}"></label>
<label>Operation<input name="operation" value="${f.operation}"></label>
<label>Outcome<select name="outcome"><option value="">any</option>${AUDIT_OUTCOMES.map((x) => html`<option${x === f.outcome ? html` selected` : ''}>${x}</option>`)}</select></label>
<label>Since (ISO time)<input name="since" value="${v(f.since)}" placeholder="2026-11-30T00:00:00Z"></label>
<label>Until<input name="until" value="${v(f.until)}"></label>
<button type="submit">Filter</button> <a href="/ui/audit">clear</a>
</form>
${table(RECORD_HEADERS, recordRows(page.records), 'No records match.')}
${next}`);
}

export function jobPage(o: LayoutOptions, namespace: string | undefined, job: string, changes: PendingChange[], page: AuditPage): string {
  return layout(o, html`
<p>What was asked of job <strong>${job}</strong>${namespace ? html` in namespace <strong>${namespace}</strong>` : ''}, newest first.
<a href="/ui/audit${query({ job })}">The whole trail of this job →</a></p>
<h2>Changes that waited for approval</h2>
${table(['Approval', 'Asked at', 'Asked by', 'Operation', 'Job', 'Plan', 'Status', 'Expires / decided by'], changeRows(changes), 'None.')}
<h2>Recent calls</h2>
${table(RECORD_HEADERS, recordRows(page.records), 'No records of this job.')}`);
}

export function problemPage(o: LayoutOptions, text: string): string {
  return layout(o, html`<p>${text}</p><p><a href="/ui/approvals">Back to the pending changes</a></p>`);
}
