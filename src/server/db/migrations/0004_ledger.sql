-- The ledger: double-entry, integer fen, append-only.
--
-- Sign convention: an account's balance is the sum of its entries; a positive entry increases
-- what the account holds. For a contributor that is money the platform owes them (a reward is
-- +amount on their account); for a campaign budget it is allocation not yet spent; for the
-- payouts clearing account, money on its way out; the treasury holds the negative of all of
-- that, so every entry, every transfer and the whole ledger sum to zero. Balances are derived,
-- never stored.

CREATE TABLE ledger_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN (
    'contributor',         -- one per user: what the platform owes them
    'campaign_budget',     -- one per campaign: funded allocation; rewards and prizes are paid out of it
    'treasury',            -- the company's side: funds budgets, receives settled payouts
    'rewards_expense',     -- rewards not drawn from a campaign budget
    'prizes_expense',      -- prizes not drawn from a campaign budget
    'red_packet_expense',  -- red packets (rain)
    'payouts_clearing'     -- withdrawals requested and not yet settled
  )),
  user_id uuid REFERENCES users(id),
  campaign_id uuid REFERENCES campaigns(id),
  may_go_negative boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Only system accounts may go negative; a contributor's balance never does.
  CHECK (may_go_negative = (kind <> 'contributor')),
  CHECK ((kind = 'contributor') = (user_id IS NOT NULL)),
  CHECK (kind <> 'contributor' OR campaign_id IS NULL),
  CHECK (kind <> 'campaign_budget' OR campaign_id IS NOT NULL),
  CHECK (kind NOT IN ('treasury', 'payouts_clearing') OR campaign_id IS NULL),
  -- PostgreSQL 15: two NULLs count as equal, so there is one treasury, one budget per campaign.
  CONSTRAINT ledger_accounts_identity UNIQUE NULLS NOT DISTINCT (kind, user_id, campaign_id)
);

CREATE TABLE ledger_transfers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN (
    'budget_funding', 'adoption_reward', 'grade_correction', 'cumulative_bonus', 'weekly_prize',
    'grand_prize', 'red_packet', 'payout', 'payout_settlement', 'reversal'
  )),
  created_at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid REFERENCES users(id),
  memo text,
  refs jsonb NOT NULL DEFAULT '{}',
  -- A transfer is reversed at most once, and only by a transfer of kind 'reversal'.
  reverses_transfer_id uuid UNIQUE REFERENCES ledger_transfers(id),
  CHECK ((kind = 'reversal') = (reverses_transfer_id IS NOT NULL))
);
CREATE INDEX ledger_transfers_created_idx ON ledger_transfers (created_at);

CREATE TABLE ledger_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transfer_id uuid NOT NULL REFERENCES ledger_transfers(id),
  account_id uuid NOT NULL REFERENCES ledger_accounts(id),
  amount_fen bigint NOT NULL CHECK (amount_fen <> 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, id);
CREATE INDEX ledger_entries_transfer_idx ON ledger_entries (transfer_id);

-- Append-only: nothing in the ledger is ever edited or removed; a mistake is corrected by a
-- new transfer (a reversal or a correction).
CREATE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
-- Accounts are immutable too (may_go_negative cannot be flipped), which also lets the service
-- cache them.
CREATE TRIGGER ledger_accounts_immutable BEFORE UPDATE OR DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- Every transfer has at least two entries and sums to zero. Checked at commit (deferred), so
-- a transfer and its entries can be written by separate statements in one transaction.
CREATE FUNCTION ledger_assert_balanced(t uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  total numeric;
BEGIN
  SELECT count(*), coalesce(sum(amount_fen), 0) INTO n, total FROM ledger_entries WHERE transfer_id = t;
  IF n < 2 OR total <> 0 THEN
    RAISE EXCEPTION 'ledger transfer % is unbalanced: % entries summing to %', t, n, total
      USING ERRCODE = 'check_violation';
  END IF;
END;
$$;

CREATE FUNCTION ledger_check_transfer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_assert_balanced(NEW.id);
  RETURN NULL;
END;
$$;

CREATE FUNCTION ledger_check_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_assert_balanced(NEW.transfer_id);
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_transfers_balanced AFTER INSERT ON ledger_transfers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transfer();
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry();
