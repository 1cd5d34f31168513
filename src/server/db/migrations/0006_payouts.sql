-- Payouts (提现): a contributor's withdrawal request, the batches finance approves and exports,
-- and the end state of each payout. Money moves only in the ledger (0004_ledger.sql): a request
-- posts `payout` (contributor → payouts_clearing) in the same transaction as its row; paid posts
-- `payout_settlement` (clearing → treasury); failed reverses the request's transfer.

CREATE TABLE payout_batches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel text NOT NULL CHECK (channel IN ('wechat', 'alipay', 'bank')),
  -- approved: created, not yet exported; exported: the CSV was produced; closed: every payout paid or failed.
  status text NOT NULL DEFAULT 'approved' CHECK (status IN ('approved', 'exported', 'closed')),
  total_fen bigint NOT NULL CHECK (total_fen > 0),
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  exported_at timestamptz,
  exported_by uuid REFERENCES users(id),
  CHECK (status <> 'exported' OR exported_at IS NOT NULL)
);
CREATE INDEX payout_batches_created_idx ON payout_batches (created_at DESC);

CREATE TABLE payouts (
  id uuid PRIMARY KEY,
  -- Chosen by the client once per request: a retry with the same id is the same payout.
  request_id uuid NOT NULL UNIQUE,
  user_id uuid NOT NULL REFERENCES users(id),
  amount_fen bigint NOT NULL CHECK (amount_fen > 0),
  method text NOT NULL CHECK (method IN ('wechat', 'alipay', 'bank')),
  -- Real name and account are personal data: AES-256-GCM ciphertext (v1:iv:tag:data, base64,
  -- bound to the payout id), decrypted only to export a batch. The masked forms are for screens.
  details_enc text NOT NULL,
  real_name_masked text NOT NULL,
  account_masked text NOT NULL,
  bank_name text,
  -- HMAC of the request body, so a retry can be compared without decrypting anything.
  request_hash text NOT NULL,
  status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'batched', 'exported', 'paid', 'failed')),
  -- At most one batch, ever: set once when batched, never cleared.
  batch_id uuid REFERENCES payout_batches(id),
  -- The ledger transfers of the request, settlement and failure. Not foreign keys: a reference
  -- into ledger_transfers would make TRUNCATE fail on the reference instead of on the ledger's
  -- own append-only guard; the transfers are found by their idempotency keys anyway.
  transfer_id uuid,
  settlement_transfer_id uuid,
  failure_transfer_id uuid,
  provider_ref text,
  failure_reason text,
  requested_at timestamptz NOT NULL DEFAULT now(),
  exported_at timestamptz,
  paid_at timestamptz,
  failed_at timestamptz,
  CHECK ((status = 'requested') = (batch_id IS NULL)),
  CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
  CHECK ((status = 'failed') = (failed_at IS NOT NULL)),
  CHECK (method <> 'bank' OR bank_name IS NOT NULL)
);
CREATE INDEX payouts_user_idx ON payouts (user_id, requested_at DESC);
CREATE INDEX payouts_status_idx ON payouts (status, requested_at);
CREATE INDEX payouts_batch_idx ON payouts (batch_id) WHERE batch_id IS NOT NULL;
