-- WeChat sign-in (docs/wechat.md): identities from WeChat's OAuth linked to accounts, the
-- `state` of each authorisation in flight, and sign-ups waiting for a name; the WeChat payee of
-- a payout is the openid of the 公众号 that WeChat Pay's merchant account is bound to.

-- An account made by WeChat sign-in has neither email nor phone: its identity row is its way in.
-- (The unnamed CHECK (email IS NOT NULL OR phone IS NOT NULL) of 0001 is named users_check.)
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_check;

CREATE TABLE identities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('wechat')),
  -- The WeChat app the openid belongs to: the open platform website app (QR login) or the 公众号.
  app_id text NOT NULL,
  app_kind text NOT NULL CHECK (app_kind IN ('open', 'mp')),
  -- An openid is only unique within its app; a unionid is the same person across every app of
  -- one open platform account, so it links the QR login and the 公众号 to one Paike account.
  openid text NOT NULL,
  unionid text,
  nickname text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, app_id, openid),
  -- One WeChat per app per account: the 公众号 openid is the account's single WeChat Pay payee.
  UNIQUE (user_id, provider, app_id)
);
CREATE INDEX identities_unionid_idx ON identities (provider, unionid) WHERE unionid IS NOT NULL;

CREATE TABLE wechat_states (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Only a hash: the state itself lives in the browser's cookie and WeChat's redirect.
  state_hash text NOT NULL UNIQUE,
  app_kind text NOT NULL CHECK (app_kind IN ('open', 'mp')),
  scope text NOT NULL CHECK (scope IN ('snsapi_login', 'snsapi_base', 'snsapi_userinfo')),
  intent text NOT NULL CHECK (intent IN ('sign_in', 'link')),
  user_id uuid REFERENCES users(id) ON DELETE CASCADE,
  campaign_id uuid REFERENCES campaigns(id) ON DELETE CASCADE,
  next_path text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  CHECK ((intent = 'link') = (user_id IS NOT NULL))
);

CREATE TABLE wechat_pending_signups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash text NOT NULL UNIQUE,
  app_id text NOT NULL,
  app_kind text NOT NULL CHECK (app_kind IN ('open', 'mp')),
  openid text NOT NULL,
  unionid text,
  nickname text,
  campaign_id uuid REFERENCES campaigns(id) ON DELETE CASCADE,
  next_path text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz
);

-- The WeChat Pay payee: the app id of the openid held (encrypted) in details_enc. NULL on a
-- WeChat payout means a 微信号 typed by hand before this migration: not payable, to re-link.
ALTER TABLE payouts ADD COLUMN payee_app_id text;
