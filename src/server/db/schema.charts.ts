// Drizzle's view of the weekly chart and grand prize additions (migrations/0013_propagation_charts.sql).
import { bigint, integer, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { campaigns } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const grandPrizeRounds = pgTable('grand_prize_rounds', {
  campaignId: uuid('campaign_id')
    .primaryKey()
    .references(() => campaigns.id),
  nominatedAt: tstz('nominated_at').notNull().defaultNow(),
  thresholdReach: bigint('threshold_reach', { mode: 'number' }).notNull(),
  nominatedCount: integer('nominated_count').notNull(),
});
export type GrandPrizeRoundRow = typeof grandPrizeRounds.$inferSelect;
