-- Issue 16: a reader is told when a freed lending copy is offered to them (48 h to borrow it).
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check CHECK (kind IN (
  'reach', 'chart', 'grand_prize', 'publication',
  'adopted', 'rejected', 'regraded', 'payout_paid', 'payout_failed', 'rain_held', 'rain_released', 'rain_refused',
  'assignment_offered', 'assignment_changed', 'lending_offered'
));
