// jixiao editor: helpers shared by the editor and the new-dossier page (DOM, the JSON API,
// field paths).
export const $ = (id) => document.getElementById(id);
export const say = (t, kind) => window.jixiao ? window.jixiao.say(t, kind) : alert(t);
let live = null; // screen readers hear what a button did
export const announce = (t) => {
  if (!live) { live = document.createElement("p"); live.className = "sr"; live.setAttribute("aria-live", "polite"); document.body.append(live); }
  live.textContent = t;
};

export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (v == null || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else if (k === "value") e.value = v;
    else if (typeof v === "function") e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of kids.flat()) if (c != null && c !== false) e.append(c);
  return e;
}
export const copy = (x) => JSON.parse(JSON.stringify(x));
export const csrf = () => { const m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ""; };

// The JSON API; resolves to {ok, status, body}, never throws.
export async function call(method, url, body) {
  const opts = { method, headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin" };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  let res;
  try { res = await fetch(url, opts); } catch (e) {
    return { ok: false, status: 0, body: { error: "网络连接失败，请检查网络后重试（内容已保存在本机）" } };
  }
  let data = {};
  try { data = await res.json(); } catch (e) { data = {}; }
  if (!data.error && !res.ok) data.error = "服务器没有正常响应（" + res.status + "），请稍后重试";
  return { ok: res.ok, status: res.status, body: data };
}
// After logging in again in another window the session (and its CSRF token) is new:
// read it from a fresh copy of this page.
export async function refreshCsrf() {
  try {
    const res = await fetch(location.pathname, { credentials: "same-origin" });
    const m = /<meta name="csrf-token" content="([0-9a-fA-F]+)">/.exec(await res.text());
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (m && meta) { meta.content = m[1]; return true; }
  } catch (e) { /* still logged out */ }
  return false;
}
export function loginLink() {
  return el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), target: "_blank", rel: "noopener", text: "在新窗口重新登录" });
}
export function existsLink(body, edit) {
  const p = el("span", { text: body.error || "" });
  if (body.existing_id) p.append(" ", el("a", { href: "/dossiers/" + body.existing_id + (edit ? "/edit" : ""), text: "打开已有档案" }));
  return p;
}
export function parsePath(p) {
  const out = [];
  p.replace(/([^.[\]]+)|\[(\d+)\]/g, (all, name, idx) => { out.push(name !== undefined ? name : Number(idx)); return all; });
  return out;
}
export function getP(o, p) { for (const k of parsePath(p)) { if (o == null) return undefined; o = o[k]; } return o; }
export function setP(o, p, v) {
  const ks = parsePath(p);
  for (let i = 0; i < ks.length - 1; i++) { if (o[ks[i]] == null) o[ks[i]] = {}; o = o[ks[i]]; }
  o[ks[ks.length - 1]] = v;
}
// Renumbers keys `{prefix}{list}[i]…` after a row moved or was removed (fn: old → new or null).
export function remap(obj, prefix, list, fn) {
  const head = prefix + list + "[", out = {};
  for (const key of Object.keys(obj || {})) {
    if (!key.startsWith(head)) { out[key] = obj[key]; continue; }
    const close = key.indexOf("]", head.length);
    const j = fn(Number(key.slice(head.length, close)));
    if (j != null) out[head + j + key.slice(close)] = obj[key];
  }
  return out;
}
