// Pieces pages share: refusals as the server gave them, a JSON pointer helper.
import { APIError } from "./api.js";
import { h } from "./dom.js";

// errorBox shows an error's message and, for the server's refusals, its code.
export function errorBox(e) {
  const box = h("p.error", { role: "alert" });
  if (e instanceof APIError) {
    box.append(e.message, " ", h("code.code", e.code));
    if (e.reason && !e.message.includes(e.reason)) box.append(h("span.muted", " " + e.reason));
  } else box.append(String((e && e.message) || e));
  return box;
}

export function fmtValue(v) {
  if (v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function fmtTime(s, lang) {
  if (!s) return "";
  return new Date(s).toLocaleString(lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
}
