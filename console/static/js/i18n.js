// Texts come from i18n/<lang>.json; zh-CN unless the user switched.
const KEY = "gdbos.lang";
export const languages = ["zh-CN", "en"];
let messages = {};
export let lang = localStorage.getItem(KEY) || "zh-CN";

export async function load(l) {
  if (!languages.includes(l)) l = "zh-CN";
  const res = await fetch("i18n/" + l + ".json");
  messages = await res.json();
  lang = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}

// t returns the text for key with {name} placeholders filled; a missing key shows
// itself, so that it is noticed.
export function t(key, vars) {
  const s = messages[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m)) : s;
}
