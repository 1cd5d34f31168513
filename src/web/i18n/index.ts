import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../../contracts/common.js';
import type { Messages } from './en.js';

const STORAGE_KEY = 'paike.locale';
/** Read by the server so its loading shell and server-rendered pages speak the same language. */
const COOKIE = 'paike_locale';

function isLocale(v: unknown): v is Locale {
  return v === 'zh-CN' || v === 'en';
}

export function detectLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be blocked (private mode, embedded webviews); fall through to the browser's list.
  }
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const l of langs) {
    const lower = l.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function currentLocale(): Locale {
  return isLocale(i18next.language) ? i18next.language : 'en';
}

function writeCookie(l: Locale): void {
  document.cookie = `${COOKIE}=${l}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

export function rememberLocale(l: Locale): void {
  writeCookie(l);
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // see detectLocale
  }
}

// One catalogue is ~50 KB; a phone on a slow network downloads only the one it shows, each in
// a chunk of its own (catalogue names in chunk names: en-*.js, zh-CN-*.js).
function loadCatalogue(l: Locale): Promise<Messages> {
  return l === 'zh-CN' ? import('./zh-CN.js').then((m) => m.zhCN) : import('./en.js').then((m) => m.en);
}

/** Loads the detected language's catalogue and starts i18next; the app renders after this. */
export async function initI18n(): Promise<void> {
  const initial = detectLocale();
  writeCookie(initial);
  document.documentElement.lang = initial;
  const messages = await loadCatalogue(initial);
  await i18next.use(initReactI18next).init({
    resources: { [initial]: { translation: messages } },
    lng: initial,
    // Both catalogues have every key (zh-CN.ts is typed by en.ts), so no fallback download.
    fallbackLng: false,
    supportedLngs: ['zh-CN', 'en'],
    interpolation: { escapeValue: false },
    returnNull: false,
  });
}

/** Switches the UI language, fetching that catalogue the first time. */
export async function changeLocale(l: Locale): Promise<void> {
  rememberLocale(l);
  if (!i18next.hasResourceBundle(l, 'translation')) i18next.addResourceBundle(l, 'translation', await loadCatalogue(l));
  await i18next.changeLanguage(l);
}

i18next.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});

export { i18next };
