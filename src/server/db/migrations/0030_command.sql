-- The mobile reporting command platform (issue 15; docs/command.md): assignments sent to the
-- field, people on a map while they work one, chat and calls with the desk, recordings and
-- broadcasts. Numbers 0031–0034 are kept for the parts built alongside this foundation.

-- A contributor's standing choice to be offered assignments near a place they name (their
-- home area, rounded to about a kilometre by the service). Dispatch "nearest N" and "everyone in
-- the radius" read only opted-in rows.
CREATE TABLE field_profiles (
  user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  opted_in boolean NOT NULL DEFAULT false,
  lat double precision CHECK (lat BETWEEN -90 AND 90),
  lng double precision CHECK (lng BETWEEN -180 AND 180),
  place_name text CHECK (length(place_name) <= 120),
  -- How far from that place they are willing to go.
  travel_km integer NOT NULL DEFAULT 30 CHECK (travel_km BETWEEN 1 AND 2000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT opted_in OR (lat IS NOT NULL AND lng IS NOT NULL))
);
CREATE INDEX field_profiles_opted_idx ON field_profiles (lat, lng) WHERE opted_in;

-- One piece of work for the field (任务). Statuses as Superdesk Planning's coverage states; overdue
-- is derived (deadline passed while not submitted, completed or cancelled), never stored.
CREATE TABLE assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NULL: the central desk's (everyone on the desk may work it).
  studio_id uuid REFERENCES studios(id) ON DELETE SET NULL,
  -- Footage shot for it is a submission to this campaign (and theme, when set).
  campaign_id uuid NOT NULL REFERENCES campaigns(id),
  theme text,
  -- The planning idea it serves, when it came from the plan (modules/kitchen planning).
  idea_id uuid REFERENCES story_ideas(id) ON DELETE SET NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
  brief text NOT NULL CHECK (length(brief) BETWEEN 1 AND 4000),
  place_name text NOT NULL CHECK (length(place_name) BETWEEN 1 AND 120),
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
  radius_m integer NOT NULL CHECK (radius_m BETWEEN 50 AND 500000),
  starts_at timestamptz NOT NULL DEFAULT now(),
  deadline_at timestamptz NOT NULL,
  -- How long an offered person has to accept before the offer moves to the next one.
  accept_minutes integer NOT NULL DEFAULT 30 CHECK (accept_minutes BETWEEN 1 AND 1440),
  reward_hint_fen integer CHECK (reward_hint_fen BETWEEN 0 AND 1000000),
  -- How many people the assignment wants (accepted offers it is looking for).
  wanted integer NOT NULL DEFAULT 1 CHECK (wanted BETWEEN 1 AND 50),
  -- {"mode":"nearest","n":5} | {"mode":"radius"} | {"mode":"named","userIds":[…]}
  dispatch jsonb NOT NULL,
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'assigned', 'in_progress', 'submitted', 'completed', 'cancelled')),
  version integer NOT NULL DEFAULT 1,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz,
  started_at timestamptz,
  submitted_at timestamptz,
  completed_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text CHECK (length(cancel_reason) <= 500),
  CHECK (deadline_at > starts_at)
);
CREATE INDEX assignments_status_idx ON assignments (status, deadline_at);
CREATE INDEX assignments_studio_idx ON assignments (studio_id, updated_at DESC);

-- Who an assignment was offered to, in dispatch order. 'queued' rows wait their turn: a decline
-- or a missed respond_by offers the assignment to the next queued one.
CREATE TABLE assignment_offers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  assignment_id uuid NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  rank integer NOT NULL,
  -- From the person's field profile (dispatch by place); NULL for named people.
  distance_m integer,
  status text NOT NULL CHECK (status IN ('queued', 'offered', 'accepted', 'declined', 'expired', 'withdrawn')),
  offered_at timestamptz,
  respond_by timestamptz,
  responded_at timestamptz,
  decline_reason text CHECK (length(decline_reason) <= 500),
  UNIQUE (assignment_id, user_id),
  UNIQUE (assignment_id, rank)
);
CREATE INDEX assignment_offers_user_idx ON assignment_offers (user_id, status);
CREATE INDEX assignment_offers_due_idx ON assignment_offers (respond_by) WHERE status = 'offered';

-- The assignment's history: every state change and offer movement, for the desk and the wall.
CREATE TABLE assignment_events (
  id bigserial PRIMARY KEY,
  assignment_id uuid NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
  actor_id uuid REFERENCES users(id),
  kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
  params jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignment_events_assignment_idx ON assignment_events (assignment_id, id);
CREATE INDEX assignment_events_at_idx ON assignment_events (at DESC);

-- Footage shot for an assignment (through the ordinary upload) and recorded calls point back to it.
ALTER TABLE submissions ADD COLUMN assignment_id uuid REFERENCES assignments(id) ON DELETE SET NULL;
CREATE INDEX submissions_assignment_idx ON submissions (assignment_id) WHERE assignment_id IS NOT NULL;
ALTER TABLE submissions DROP CONSTRAINT submissions_source_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_source_check CHECK (source IN ('upload', 'edit', 'call'));

-- A person's consent to share where they are while an assignment is active. 'coarse' positions
-- are rounded to about 100 m before they are stored. Sharing stops (stopped_at) when they stop
-- it or when the assignment ends; positions are deleted when the assignment ends.
CREATE TABLE location_shares (
  assignment_id uuid NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  precision text NOT NULL CHECK (precision IN ('coarse', 'precise')),
  consented_at timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz,
  stop_reason text CHECK (stop_reason IN ('person', 'assignment_ended', 'offer_ended')),
  PRIMARY KEY (assignment_id, user_id)
);

CREATE TABLE field_positions (
  id bigserial PRIMARY KEY,
  assignment_id uuid NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
  accuracy_m integer CHECK (accuracy_m BETWEEN 0 AND 1000000),
  -- What the phone's browser gives (Battery Status and Network Information APIs), when it does.
  battery real CHECK (battery BETWEEN 0 AND 1),
  charging boolean,
  network text CHECK (length(network) <= 20),
  recorded_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX field_positions_person_idx ON field_positions (assignment_id, user_id, recorded_at DESC);

-- Chat between the desk and the field, one thread per assignment. id is the thread's order: a
-- reconnecting client asks for everything after the last id it saw. (sender, client_id) makes a
-- resent message land once.
CREATE TABLE command_messages (
  id bigserial PRIMARY KEY,
  assignment_id uuid NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
  sender_id uuid NOT NULL REFERENCES users(id),
  client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 64),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sender_id, client_id)
);
CREATE INDEX command_messages_thread_idx ON command_messages (assignment_id, id);

-- A live contact (连线) about an assignment: one-to-one peer to peer, or through a Janus
-- VideoRoom (several field guests, other desks watching, recorded, broadcast).
CREATE TABLE command_calls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  assignment_id uuid NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
  started_by uuid NOT NULL REFERENCES users(id),
  direction text NOT NULL CHECK (direction IN ('desk_to_field', 'field_to_desk')),
  -- Whom the call rings: the field person (desk_to_field) or NULL (the assignment's desk).
  callee_id uuid REFERENCES users(id),
  media text NOT NULL CHECK (media IN ('p2p', 'janus')),
  status text NOT NULL DEFAULT 'ringing'
    CHECK (status IN ('ringing', 'active', 'ended', 'missed', 'declined', 'failed')),
  janus_room bigint,
  broadcast boolean NOT NULL DEFAULT false,
  audience_peak integer NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz,
  ended_at timestamptz,
  end_reason text CHECK (length(end_reason) <= 40),
  -- The recording's way to the desk queue (Janus calls); the submission it became.
  recording_status text NOT NULL DEFAULT 'none'
    CHECK (recording_status IN ('none', 'recording', 'pending', 'processing', 'done', 'failed')),
  submission_id uuid REFERENCES submissions(id) ON DELETE SET NULL
);
CREATE INDEX command_calls_assignment_idx ON command_calls (assignment_id, started_at DESC);
CREATE INDEX command_calls_live_idx ON command_calls (status) WHERE status IN ('ringing', 'active');

CREATE TABLE command_call_participants (
  call_id uuid NOT NULL REFERENCES command_calls(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('director', 'guest', 'watcher')),
  joined_at timestamptz,
  left_at timestamptz,
  PRIMARY KEY (call_id, user_id)
);

-- Contributor notices about assignments (offered, cancelled, reminders).
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check CHECK (kind IN (
  'reach', 'chart', 'grand_prize', 'publication',
  'adopted', 'rejected', 'regraded', 'payout_paid', 'payout_failed', 'rain_held', 'rain_released', 'rain_refused',
  'assignment_offered', 'assignment_changed'
));
