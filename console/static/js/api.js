// The console's only way to the kernel: the public GraphQL API, with the signed-in
// user's session token.
const KEY = "gdbos.token";

export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  set token(v) { v ? sessionStorage.setItem(KEY, v) : sessionStorage.removeItem(KEY); },
};

// APIError carries the server's refusal as it came: message, extensions.code, and
// for VALIDATION_FAILED and LOCKED the field paths.
export class APIError extends Error {
  constructor(err, status) {
    super(err.message);
    const ext = err.extensions || {};
    this.code = ext.code || (status === 401 ? "UNAUTHENTICATED" : "ERROR");
    this.fields = ext.fields || [];
    this.lockedBy = ext.lockedBy || "";
    this.reason = ext.reason || "";
  }
}

const listeners = new Set();
// onUnauthenticated registers what to do when the session is gone.
export function onUnauthenticated(fn) { listeners.add(fn); }

export async function gql(query, variables) {
  const { data, errors } = await gqlAll(query, variables);
  if (errors.length) throw errors[0];
  return data;
}

// gqlAll answers partial data with every error (one per refused field), for pages
// that show what they may and say what they may not.
export async function gqlAll(query, variables) {
  const headers = { "Content-Type": "application/json" };
  if (session.token) headers.Authorization = "Bearer " + session.token;
  const res = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  let body;
  try { body = await res.json(); } catch { throw new APIError({ message: res.status + " " + res.statusText }, res.status); }
  const errors = (body.errors || []).map(e => new APIError(e, res.status));
  if (errors.some(e => e.code === "UNAUTHENTICATED") && session.token) listeners.forEach(fn => fn(errors[0]));
  if (errors.length && !body.data) throw errors[0];
  return { data: body.data || {}, errors };
}

// The permission cache: per tenant, per "kind:action", true or false, from myAccess
// (which tells every signed-in user about themself).
const cache = new Map();
export function clearPermissions() { cache.clear(); }

// can answers which of the checks ([kind, action] pairs) the signed-in user may do
// at tenant, in one request. user is kept for the callers' sake: it is always the
// signed-in user.
export async function can(user, tenant, checks) {
  const key = c => tenant + "|" + c[0] + ":" + c[1];
  const missing = checks.filter(c => !cache.has(key(c)));
  if (missing.length) {
    const d = await gql("query($t: String!, $c: [AccessCheck!]!) { myAccess(tenant: $t, checks: $c) }",
      { t: tenant, c: missing.map(c => ({ kind: c[0], action: c[1] })) });
    missing.forEach((c, i) => cache.set(key(c), d.myAccess[i]));
  }
  return checks.map(c => cache.get(key(c)));
}
