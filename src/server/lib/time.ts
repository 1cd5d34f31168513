/** China keeps one offset all year (no daylight saving), so Asia/Shanghai days are fixed UTC+8 spans. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Midnight Asia/Shanghai of the day `at` falls in, as an instant. */
export function startOfDayShanghai(at: Date): Date {
  const local = at.getTime() + SHANGHAI_OFFSET_MS;
  return new Date(local - (((local % 86_400_000) + 86_400_000) % 86_400_000) - SHANGHAI_OFFSET_MS);
}

/** `at` as Beijing time "MM-DD HH:mm", the way a notice's sentence says a deadline. */
export function shanghaiMinuteText(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(5, 16).replace('T', ' ');
}
