// No zod here: the web app imports this directly (see packaging.limits.ts).
/** Where the rain page keeps its device id (a random id per browser), and the headers a grab sends. */
export const RAIN_DEVICE_STORAGE_KEY = 'paike.rain.device';
