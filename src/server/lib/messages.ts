import type { Locale } from '../../contracts/common.js';

/**
 * Every message a user can read from the API, in both languages. Keys are the error codes
 * services throw; `{name}` placeholders are filled from the error's params.
 */
export const messages = {
  'request.invalid': { 'zh-CN': '请求内容有误：{detail}', en: 'The request is not valid: {detail}' },
  'request.too_large': { 'zh-CN': '请求内容过大。', en: 'The request body is too large.' },
  'request.unsupported_media_type': { 'zh-CN': '不支持的内容类型。', en: 'Unsupported content type.' },
  'request.malformed_json': { 'zh-CN': '请求内容不是有效的 JSON。', en: 'The request body is not valid JSON.' },
  'request.not_found': { 'zh-CN': '找不到该地址。', en: 'No such address.' },
  'request.rate_limited': { 'zh-CN': '操作太频繁，请 {seconds} 秒后再试。', en: 'Too many attempts. Try again in {seconds} seconds.' },
  'request.cross_site': { 'zh-CN': '拒绝来自其他网站的请求。', en: 'Cross-site request refused.' },
  'server.internal': { 'zh-CN': '服务器出错了，请稍后再试。', en: 'Something went wrong on our side. Please try again later.' },
  'server.unavailable': { 'zh-CN': '服务暂时不可用，请稍后再试。', en: 'The service is temporarily unavailable. Please try again later.' },
  'auth.required': { 'zh-CN': '请先登录。', en: 'Please sign in first.' },
  'auth.forbidden': { 'zh-CN': '你没有权限执行此操作。', en: 'You do not have permission to do this.' },
  'auth.invalid_credentials': { 'zh-CN': '邮箱或密码不正确。', en: 'Wrong email or password.' },
  'auth.email_taken': { 'zh-CN': '该邮箱已注册，请直接登录。', en: 'This email is already registered. Please sign in.' },
  'auth.account_disabled': { 'zh-CN': '该账号已被停用。', en: 'This account has been disabled.' },
  'auth.password_too_short': { 'zh-CN': '密码至少需要 {min} 个字符。', en: 'The password must be at least {min} characters long.' },
  'auth.password_too_long': { 'zh-CN': '密码不能超过 {max} 个字符。', en: 'The password must be at most {max} characters long.' },
  'auth.password_common': { 'zh-CN': '这个密码太常见，很容易被猜到，请换一个。', en: 'This password is too common and easy to guess. Please choose another.' },
  'auth.code_invalid': { 'zh-CN': '验证码不正确或已过期。', en: 'The code is wrong or has expired.' },
  'auth.code_too_many_attempts': { 'zh-CN': '验证码尝试次数过多，请重新获取。', en: 'Too many wrong codes. Please request a new one.' },
  'auth.code_limit': { 'zh-CN': '该手机号获取验证码过于频繁，请稍后再试。', en: 'Too many codes sent to this number. Please try again later.' },
  'auth.sms_failed': { 'zh-CN': '短信发送失败，请稍后再试。', en: 'The text message could not be sent. Please try again later.' },
  'auth.name_required': { 'zh-CN': '首次登录请填写姓名。', en: 'Please give your name the first time you sign in.' },
  'user.not_found': { 'zh-CN': '找不到该用户。', en: 'No such user.' },
  'user.last_admin': { 'zh-CN': '不能移除最后一位管理员。', en: 'The last admin cannot be removed.' },
  'session.not_found': { 'zh-CN': '找不到该会话。', en: 'No such session.' },
  'campaign.not_found': { 'zh-CN': '找不到该征集活动。', en: 'No such campaign.' },
  'campaign.slug_taken': { 'zh-CN': '该活动标识已被使用。', en: 'This campaign slug is already in use.' },
  'campaign.full': { 'zh-CN': '该活动名额已满（{quota} 人）。', en: 'This campaign is full ({quota} contributors).' },
  'campaign.not_open': { 'zh-CN': '该活动当前未开放报名。', en: 'This campaign is not open for joining.' },
  'campaign.invalid_dates': { 'zh-CN': '开始时间必须早于结束时间。', en: 'The start must be before the end.' },
} as const satisfies Record<string, Record<Locale, string>>;

export type MessageCode = keyof typeof messages;

export function translate(code: MessageCode, locale: Locale, params: Record<string, unknown> = {}): string {
  const template = messages[code][locale];
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

/** Picks zh-CN or en from an Accept-Language header (q-values respected); zh-CN by default. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.tag && !Number.isNaN(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return undefined;
}
