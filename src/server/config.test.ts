import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('runs with no configuration at all: embedded database in ./data, port 3000, console SMS, no S3', () => {
    const config = loadConfig({});
    expect(config.NODE_ENV).toBe('development');
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.database).toEqual({ kind: 'pglite', dir: path.join(path.resolve('./data'), 'db') });
    expect(config.DATABASE_SCHEMA).toBe('public');
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.s3).toBeUndefined();
    expect(config.SMS_PROVIDER).toBe('console');
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.TRUST_PROXY).toBe(false);
    expect(config.PAIKE_SEED).toBe('demo');
    expect(config.SHUTDOWN_TIMEOUT_SECONDS).toBe(30);
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '', REDIS_URL: '' });
    expect(config.database.kind).toBe('pglite');
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('uses PostgreSQL when DATABASE_URL is set, and S3 when a bucket and keys are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://paike:pw@db.internal:5432/paike',
      S3_BUCKET: 'media',
      S3_ACCESS_KEY_ID: 'AK',
      S3_SECRET_ACCESS_KEY: 'SK',
      TRUST_PROXY: 'yes',
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://paike:pw@db.internal:5432/paike' });
    expect(config.s3).toMatchObject({ bucket: 'media', accessKeyId: 'AK', secretAccessKey: 'SK', region: 'us-east-1' });
    expect(config.TRUST_PROXY).toBe(true);
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['REDIS_URL', { REDIS_URL: 'http://localhost:6379' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['DATABASE_SCHEMA', { DATABASE_SCHEMA: 'Robert"); DROP TABLE' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
    ['S3_ACCESS_KEY_ID', { S3_BUCKET: 'media' }],
    ['ALIYUN_ACCESS_KEY_ID', { SMS_PROVIDER: 'aliyun' }],
    ['TENCENT_SECRET_ID', { SMS_PROVIDER: 'tencent', SMS_SIGN_NAME: 'x', SMS_TEMPLATE_CODE: 'y' }],
  ])('refuses a wrong value and names %s', (name, env) => {
    const err = configError(env);
    expect(err.message).toContain(name);
    expect(err.message).toMatch(/^Invalid configuration:/);
  });

  it('reports every wrong variable at once, with the value it got', () => {
    const err = configError({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(err.issues).toHaveLength(2);
    expect(err.message).toContain('PORT');
    expect(err.message).toContain('"abc"');
    expect(err.message).toContain('LOG_LEVEL');
    expect(err.message).toContain('"loud"');
  });

  it('accepts a complete Aliyun SMS configuration', () => {
    const config = loadConfig({
      SMS_PROVIDER: 'aliyun',
      ALIYUN_ACCESS_KEY_ID: 'a',
      ALIYUN_ACCESS_KEY_SECRET: 'b',
      SMS_SIGN_NAME: '拍客',
      SMS_TEMPLATE_CODE: 'SMS_1',
    });
    expect(config.SMS_PROVIDER).toBe('aliyun');
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
    expect(config.PORT).toBe(3000);
  });

  it('trims trailing slashes from PUBLIC_URL, so links do not get a double slash', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://paike.example.cn/' }).publicUrl).toBe('https://paike.example.cn');
    expect(loadConfig({ PUBLIC_URL: 'https://paike.example.cn/news//' }).publicUrl).toBe('https://paike.example.cn/news');
  });

  it('shows localhost in the public URL when listening on every interface', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });
});
