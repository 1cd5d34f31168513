/**
 * The kiosks' limits and enums (issue 16, docs/kiosk.md), zod-free: the kiosk app and the admin
 * pages import these without pulling zod into their chunks (zod probes `eval`, which the pages'
 * Content-Security-Policy refuses).
 */
export const KIOSK_LIMITS = {
  /** A pairing code is shown this long before the screen asks for a new one. */
  pairingMinutes: 10,
  /** The kiosk app reports this often; the admin page calls a screen late after three misses. */
  heartbeatSeconds: 30,
  lateAfterSeconds: 90,
  offlineAfterSeconds: 600,
  layersPerTarget: 50,
  windowsPerLayer: 14,
  /** An interrupt is for urgent news: a day at most, so a forgotten one does not own the screen. */
  interruptMaxHours: 24,
  screenshotMaxBytes: 2 * 1024 * 1024,
} as const;

export const PAIRING_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const ORIENTATIONS = ['landscape', 'portrait'] as const;
export const SCREEN_HEALTH = ['ok', 'late', 'offline', 'never', 'revoked'] as const;
export type ScreenHealth = (typeof SCREEN_HEALTH)[number];
export const KIOSK_COMMANDS = ['reload', 'refresh', 'screenshot', 'rotate_key'] as const;
export type KioskCommandKind = (typeof KIOSK_COMMANDS)[number];
export const CONTENT_SOURCES = ['daily_pick', 'adopted', 'chart', 'stories', 'notices'] as const;
