import { call, Reply } from './http';

/**
 * The approval page (/ui) driven as a browser without JavaScript drives it: cookies kept by hand, forms posted
 * urlencoded with the Origin a browser sends for a same-origin form.
 */
export interface UiClient {
  /** The Cookie header the client sends (name=value; …). */
  cookies: Map<string, string>;
  /** The last Set-Cookie lines received, as sent. */
  setCookies: string[];
  get(path: string): Promise<Reply>;
  /** A form POST: urlencoded fields, Origin = the service's own unless `origin` says otherwise (null: none). */
  post(path: string, fields: Record<string, string>, opts?: { origin?: string | null }): Promise<Reply>;
}

export function uiClient(base: string): UiClient {
  const cookies = new Map<string, string>();
  const c: UiClient = {
    cookies,
    setCookies: [],
    get: async (path) => keep(await call(base, 'GET', path, { headers: headers() })),
    post: async (path, fields, opts = {}) => {
      const origin = opts.origin === undefined ? new URL(base).origin : opts.origin;
      return keep(await call(base, 'POST', path, {
        rawBody: new URLSearchParams(fields).toString(),
        headers: { ...headers(), 'Content-Type': 'application/x-www-form-urlencoded', ...(origin ? { Origin: origin } : {}) },
      }));
    },
  };
  function headers(): Record<string, string> {
    return cookies.size ? { Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
  function keep(r: Reply): Reply {
    c.setCookies = r.headers.getSetCookie();
    for (const line of c.setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = !value || attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    return r;
  }
  return c;
}

/** The value of a form's hidden csrf field on a page. */
export function csrfOf(page: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page);
  if (!m) throw new Error(`no csrf field on the page: ${page.slice(0, 300)}`);
  return m[1];
}

/** Signs in with a key: the sign-in form, then its POST; resolves to the POST's answer (303 on success). */
export async function signIn(ui: UiClient, key: string): Promise<Reply> {
  const form = await ui.get('/ui/login');
  return ui.post('/ui/login', { csrf: csrfOf(form.text), key });
}
