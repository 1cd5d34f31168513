// Drizzle's view of the WeChat sign-in tables (migrations/0020_wechat.sql).
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { campaigns, users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type WechatAppKind = 'open' | 'mp';
export type WechatScope = 'snsapi_login' | 'snsapi_base' | 'snsapi_userinfo';

export const identities = pgTable('identities', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  provider: text('provider').$type<'wechat'>().notNull(),
  appId: text('app_id').notNull(),
  appKind: text('app_kind').$type<WechatAppKind>().notNull(),
  openid: text('openid').notNull(),
  unionid: text('unionid'),
  nickname: text('nickname'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  lastUsedAt: tstz('last_used_at').notNull().defaultNow(),
});
export type IdentityRow = typeof identities.$inferSelect;

export const wechatStates = pgTable('wechat_states', {
  id: uuid('id').primaryKey().defaultRandom(),
  stateHash: text('state_hash').notNull().unique(),
  appKind: text('app_kind').$type<WechatAppKind>().notNull(),
  scope: text('scope').$type<WechatScope>().notNull(),
  intent: text('intent').$type<'sign_in' | 'link'>().notNull(),
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
  nextPath: text('next_path'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
  consumedAt: tstz('consumed_at'),
});
export type WechatStateRow = typeof wechatStates.$inferSelect;

export const wechatPendingSignups = pgTable('wechat_pending_signups', {
  id: uuid('id').primaryKey().defaultRandom(),
  tokenHash: text('token_hash').notNull().unique(),
  appId: text('app_id').notNull(),
  appKind: text('app_kind').$type<WechatAppKind>().notNull(),
  openid: text('openid').notNull(),
  unionid: text('unionid'),
  nickname: text('nickname'),
  campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
  nextPath: text('next_path'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
  consumedAt: tstz('consumed_at'),
});
export type WechatPendingSignupRow = typeof wechatPendingSignups.$inferSelect;
