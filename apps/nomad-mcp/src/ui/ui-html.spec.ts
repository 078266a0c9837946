import { escapeHtml, html, layout, query, table } from './ui-html';

describe('the approval page\'s HTML', () => {
  it('escapes every interpolated value, in content and in attributes', () => {
    const hostile = `"><script>alert('x')</script>&`;
    const out = html`<p title="${hostile}">${hostile}</p>`.text;
    expect(out).toBe('<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>');
    expect(escapeHtml(null)).toBe('');
  });

  it('keeps markup made here, joins lists and drops absent values', () => {
    expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>${undefined}${false}`.text).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(table(['A'], [[html`<b>x</b>`], ['<i>']], 'none').text).toContain('<td><b>x</b></td></tr><tr><td>&lt;i&gt;</td>');
    expect(table(['A'], [], 'Nothing <here>').text).toBe('<p>Nothing &lt;here&gt;</p>');
  });

  it('a page has no script, names who is signed in, and carries the CSRF token in its sign-out form', () => {
    const page = layout({ title: 'T<', who: { name: 'on-call', csrf: 'tok"en' } }, html`<p>x</p>`);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('<title>T&lt; · Nomad MCP</title>');
    expect(page).toContain('<input type="hidden" name="csrf" value="tok&quot;en">');
  });

  it('builds query strings from the set filters only', () => {
    expect(query({ job: 'web app', outcome: undefined, since: '' })).toBe('?job=web+app');
    expect(query({})).toBe('');
  });
});
