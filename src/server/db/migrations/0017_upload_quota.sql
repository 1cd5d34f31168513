-- The daily upload quota counts bytes declared on uploads started that day (Asia/Shanghai),
-- whatever became of them: a cancelled or expired upload keeps its bytes counted, so
-- cancelling cannot be used to upload past the quota. Submission rows could not carry this:
-- a cancelled upload's row is deleted.
CREATE TABLE upload_quota (
  user_id uuid NOT NULL REFERENCES users (id),
  day_start timestamptz NOT NULL,
  bytes bigint NOT NULL,
  PRIMARY KEY (user_id, day_start)
);
INSERT INTO upload_quota (user_id, day_start, bytes)
SELECT user_id, (date_trunc('day', created_at AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai') AS day_start, sum(upload_length)
FROM submissions
WHERE created_at > now() - interval '2 days'
GROUP BY 1, 2;
