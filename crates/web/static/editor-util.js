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

// ---------------------------------------------------------- amounts as people type them
// `12万元`, `12万`, `120000元`, `十二万`, `三千五百元`, full-width `１２`, `1,200.50` → the
// amount in 万元 as decimal text (`12`, `0.35`, `1200.5`), exactly: the decimal point is
// moved in the text and Chinese numerals are read with BigInt, never through floats.
// Answers {wan} (null for an empty cell) or {error} with the reason in Chinese.
const CN_DIGIT = { "零": 0n, "〇": 0n, "一": 1n, "二": 2n, "两": 2n, "三": 3n, "四": 4n, "五": 5n, "六": 6n, "七": 7n, "八": 8n, "九": 9n };
const CN_SMALL = { "十": 10n, "百": 100n, "千": 1000n };

function chineseInt(s) {
  if (!s) return null;
  if ([...s].every((c) => c in CN_DIGIT)) return BigInt([...s].map((c) => CN_DIGIT[c].toString()).join(""));
  let total = 0n, section = 0n, num = 0n;
  for (const c of s) {
    if (c in CN_DIGIT) num = CN_DIGIT[c];
    else if (c in CN_SMALL) { section += (num === 0n && c === "十" ? 1n : num) * CN_SMALL[c]; num = 0n; }
    else if (c === "万") { total += (section + num) * 10000n; section = 0n; num = 0n; }
    else if (c === "亿") { total = (total + section + num) * 100000000n; section = 0n; num = 0n; }
    else return null;
  }
  return total + section + num;
}

// Moves the decimal point of plain decimal text `k` places (right when positive).
function shiftPoint(text, k) {
  let [int, frac = ""] = text.split(".");
  if (k > 0) { frac = frac.padEnd(k, "0"); int += frac.slice(0, k); frac = frac.slice(k); }
  else if (k < 0) { int = int.padStart(-k + 1, "0"); frac = int.slice(k) + frac; int = int.slice(0, k); }
  int = int.replace(/^0+(?=\d)/, "");
  frac = frac.replace(/0+$/, "");
  return frac ? int + "." + frac : int;
}

export function toWan(input) {
  let s = String(input)
    .replace(/[\uFF10-\uFF19\uFF0C\uFF0E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/[\s¥￥]/g, "")
    .replace(/[。；;]+$/, "");
  if (s === "") return { wan: null };
  let shift = 0;
  for (const [unit, k] of [["万元", 0], ["亿元", 4], ["万", 0], ["亿", 4], ["元", -4]]) {
    if (s.endsWith(unit) && s.length > unit.length) { s = s.slice(0, -unit.length); shift = k; break; }
  }
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
  let digits = null;
  if (/^\d+(\.\d+)?$/.test(s)) digits = s;
  else if (/^\d+\.$/.test(s)) digits = s.slice(0, -1);
  else { const n = chineseInt(s); if (n !== null) digits = n.toString(); }
  if (digits === null) {
    return { error: s.startsWith("-") ? "金额不能为负数" : "看不懂这个金额：请填数字，可带单位，如 12.5、12万元、120000元、十二万" };
  }
  const wan = shiftPoint(digits, shift);
  if (wan.split(".")[0].length > 11) return { error: "金额过大，请检查单位（本格单位为万元）" };
  return { wan };
}
