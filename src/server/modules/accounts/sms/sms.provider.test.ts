import { describe, it, expect } from 'vitest';
import { loadConfig } from '../../../config.js';
import { SmsSendError, createSmsProvider, sanitizeForMessage, type SmsConfig } from './sms.provider.js';

const base: SmsConfig = {
  SMS_PROVIDER: 'console',
  SMS_SIGN_NAME: undefined,
  SMS_TEMPLATE_CODE: undefined,
  ALIYUN_ACCESS_KEY_ID: undefined,
  ALIYUN_ACCESS_KEY_SECRET: undefined,
  ALIYUN_SMS_ENDPOINT: undefined,
  TENCENT_SECRET_ID: undefined,
  TENCENT_SECRET_KEY: undefined,
  TENCENT_SMS_APP_ID: undefined,
  TENCENT_SMS_REGION: 'ap-guangzhou',
  TENCENT_SMS_ENDPOINT: undefined,
};

describe('createSmsProvider', () => {
  it('builds the provider SMS_PROVIDER names', () => {
    expect(createSmsProvider(base).name).toBe('console');
    expect(
      createSmsProvider({
        ...base,
        SMS_PROVIDER: 'aliyun',
        ALIYUN_ACCESS_KEY_ID: 'id',
        ALIYUN_ACCESS_KEY_SECRET: 's',
        SMS_SIGN_NAME: 'n',
        SMS_TEMPLATE_CODE: 't',
      }).name,
    ).toBe('aliyun');
    expect(
      createSmsProvider({
        ...base,
        SMS_PROVIDER: 'tencent',
        TENCENT_SECRET_ID: 'id',
        TENCENT_SECRET_KEY: 's',
        TENCENT_SMS_APP_ID: '1',
        SMS_SIGN_NAME: 'n',
        SMS_TEMPLATE_CODE: 't',
      }).name,
    ).toBe('tencent');
  });

  it('accepts a loaded Config', () => {
    const config = loadConfig({
      SMS_PROVIDER: 'tencent',
      TENCENT_SECRET_ID: 'id',
      TENCENT_SECRET_KEY: 'sk',
      TENCENT_SMS_APP_ID: '1400000001',
      SMS_SIGN_NAME: '拍客',
      SMS_TEMPLATE_CODE: '1',
    });
    expect(createSmsProvider(config).name).toBe('tencent');
  });

  it('refuses a cloud provider with missing settings, without echoing secrets', () => {
    const attempt = () => createSmsProvider({ ...base, SMS_PROVIDER: 'aliyun', ALIYUN_ACCESS_KEY_SECRET: 'top-secret-value' });
    expect(attempt).toThrow(/ALIYUN_ACCESS_KEY_ID/);
    try {
      attempt();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('top-secret-value');
    }
    expect(() => createSmsProvider({ ...base, SMS_PROVIDER: 'tencent' })).toThrow(/TENCENT_SECRET_ID/);
  });

  it('does not expose secrets as enumerable state on the provider', () => {
    const sms = createSmsProvider({
      ...base,
      SMS_PROVIDER: 'aliyun',
      ALIYUN_ACCESS_KEY_ID: 'id',
      ALIYUN_ACCESS_KEY_SECRET: 'top-secret-value',
      SMS_SIGN_NAME: 'n',
      SMS_TEMPLATE_CODE: 't',
    });
    expect(JSON.stringify(sms)).not.toContain('top-secret-value');
    expect(Object.values(sms).join(' ')).not.toContain('top-secret-value');
  });
});

describe('SmsSendError', () => {
  it('carries retryable, the platform code and the cause', () => {
    const cause = new Error('boom');
    const e = new SmsSendError('x', true, { cause, providerCode: 'Throttling.User' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('SmsSendError');
    expect(e.retryable).toBe(true);
    expect(e.providerCode).toBe('Throttling.User');
    expect(e.cause).toBe(cause);
  });

  it('sanitizeForMessage removes secrets, the code, the number and echoed strings to sign', () => {
    const msg = { phone: '+8613800138000', code: '123456', locale: 'en' as const };
    const out = sanitizeForMessage('bad key S3CR3T for 13800138000 code 123456; server string to sign is:POST&%2F&...123456', { secrets: ['S3CR3T'], msg });
    expect(out).not.toMatch(/S3CR3T|123456|13800138000/);
    expect(out).toContain('[redacted]');
  });
});
