import { describe, it, expect } from 'vitest';
import { ConsoleSmsProvider, smsText } from './console.sms.js';
import { SmsSendError, createSmsProvider, maskPhone, type SmsConfig } from './sms.provider.js';

function capture() {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}

describe('console SMS provider', () => {
  it('prints one zh-CN line with the code and a masked number', async () => {
    const out = capture();
    const sms = new ConsoleSmsProvider({ log: out.log });
    await sms.send({ phone: '+8613800138000', code: '123456', locale: 'zh-CN' });
    expect(out.lines).toEqual(['[sms] to +86138****8000: 你的拍客验证码是 123456，5 分钟内有效。']);
    expect(out.lines[0]).not.toContain('13800138000');
  });

  it('prints the English text for en', async () => {
    const out = capture();
    await new ConsoleSmsProvider({ log: out.log }).send({ phone: '+14155550123', code: '654321', locale: 'en' });
    expect(out.lines).toEqual(['[sms] to +141****0123: Your Paike code is 654321. It expires in 5 minutes.']);
    expect(out.lines[0]).not.toContain('4155550123');
  });

  it('is the default provider and is named console', async () => {
    const out = capture();
    const sms = createSmsProvider({ SMS_PROVIDER: 'console', TENCENT_SMS_REGION: 'ap-guangzhou' } as SmsConfig, { log: out.log });
    expect(sms.name).toBe('console');
    await sms.send({ phone: '+8613800138000', code: '000111', locale: 'en' });
    expect(out.lines[0]).toContain('000111');
  });

  it('rejects malformed messages without printing', async () => {
    const out = capture();
    const sms = new ConsoleSmsProvider({ log: out.log });
    await expect(sms.send({ phone: '13800138000', code: '123456', locale: 'en' })).rejects.toBeInstanceOf(SmsSendError);
    await expect(sms.send({ phone: '+8613800138000', code: '12345', locale: 'en' })).rejects.toMatchObject({ retryable: false });
    expect(out.lines).toEqual([]);
  });
});

describe('maskPhone', () => {
  it('keeps the country code area and the last digits, hides the middle', () => {
    expect(maskPhone('+8613800138000')).toBe('+86138****8000');
    expect(maskPhone('+85291234567')).toBe('+852****4567');
    expect(maskPhone('+4915112345678')).toBe('+49151****5678');
    for (const p of ['+8613800138000', '+85291234567', '+12025550123', '+3531234567']) {
      expect(maskPhone(p)).toMatch(/\*{4}/);
      expect(maskPhone(p)).toHaveLength(p.length);
    }
  });

  it('smsText matches the locale', () => {
    expect(smsText({ code: '123456', locale: 'zh-CN' })).toBe('你的拍客验证码是 123456，5 分钟内有效。');
    expect(smsText({ code: '123456', locale: 'en' })).toBe('Your Paike code is 123456. It expires in 5 minutes.');
  });
});
