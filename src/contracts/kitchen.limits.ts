// No zod here: the web app imports these values directly, so server and pages share one table
// (as packaging.limits.ts does for the channels).
/** The kitchen's forms: 报 print, 网 web, 端 app, 微 social, 屏 screens (contracts/kitchen.ts). */
export const FORMS = ['print', 'web', 'app', 'weibo', 'wechat', 'toutiao', 'penguin', 'screen'] as const;
export type FormName = (typeof FORMS)[number];

/** Who may approve a step of a review chain. */
export const REVIEW_STEP_ROLES = ['editor', 'studio_lead', 'chief_editor'] as const;

/**
 * The character limits of each form's text fields, as the editor sees them counted (one Chinese
 * character counts one). The same numbers as the content schemas in contracts/kitchen.ts.
 */
export const FORM_LIMITS: { [F in FormName]: Record<string, number> } = {
  print: { headline: 60, standfirst: 300, page: 20 },
  web: { headline: 80, standfirst: 500 },
  app: { headline: 80, standfirst: 500 },
  weibo: { text: 110 },
  wechat: { title: 32, digest: 120, author: 16 },
  toutiao: { title: 30, summary: 120 },
  penguin: { title: 30, summary: 120 },
  screen: { headline: 24, subline: 80 },
};

/** Characters as an editor counts them: code points, so 一个汉字 is one and an emoji is one. */
export function countChars(s: string): number {
  return [...s].length;
}
