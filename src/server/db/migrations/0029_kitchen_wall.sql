-- The 传播力 wall (docs/wall.md): its snapshot reads "what happened today / in the last hour"
-- every few seconds. Without these, each of those reads is a scan of the whole table
-- (metric_samples grows by one row per publication every 15 minutes).

-- Samples taken since a moment (the last hour, today), across every publication.
CREATE INDEX metric_samples_sampled_at_idx ON metric_samples (sampled_at);
-- Videos adopted today.
CREATE INDEX submissions_adopted_at_idx ON submissions (adopted_at) WHERE adopted_at IS NOT NULL;
-- Publications made or gone live today.
CREATE INDEX publications_created_at_idx ON publications (created_at);
CREATE INDEX publications_published_at_idx ON publications (published_at) WHERE published_at IS NOT NULL;
-- Forms changed or published today.
CREATE INDEX story_forms_updated_at_idx ON story_forms (updated_at);
