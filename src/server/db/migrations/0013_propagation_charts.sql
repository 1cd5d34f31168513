-- Weekly chart and grand prize (docs/propagation.md, "Weekly chart" and "Grand prize").

-- One grand-prize round per campaign, written when the nominate job handles the ended
-- campaign (also when no video qualified), so the daily job never looks at it again.
-- Confirmations lock this row: the sum confirmed never passes the campaign's amount.
CREATE TABLE grand_prize_rounds (
  campaign_id uuid PRIMARY KEY REFERENCES campaigns(id),
  nominated_at timestamptz NOT NULL DEFAULT now(),
  threshold_reach bigint NOT NULL,
  nominated_count integer NOT NULL
);

-- The daily recheck finds nominations whose hold-back has passed.
CREATE INDEX grand_prize_nominations_recheck_idx ON grand_prize_nominations (recheck_after) WHERE status = 'nominated';

-- The weekly chart, the grand prize and the dashboards read, per publication, the highest
-- figures among its samples up to an instant. With the figures in the index those reads are
-- index-only scans in (publication, time) order instead of one heap page per sample: 3x faster
-- over 1,000 videos x 3 channels x a week of hourly samples (docs/benchmarks.md, "Weekly chart").
CREATE INDEX metric_samples_figures_idx ON metric_samples (publication_id, sampled_at) INCLUDE (views, likes, comments, shares);
