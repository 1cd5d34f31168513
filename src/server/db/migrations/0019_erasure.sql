-- Account deletion (docs/privacy.md). A deleted account's row stays, emptied of personal data
-- and named 拍客, because the ledger, published videos and audit rows point at it: the books
-- keep their entries with this anonymous account and still balance. This table marks which
-- rows are such tombstones (an admin-disabled account is not one), once per account.
CREATE TABLE account_erasures (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  erased_at timestamptz NOT NULL DEFAULT now()
);
