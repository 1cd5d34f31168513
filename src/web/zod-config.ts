import { z } from 'zod';

// The page CSP (src/server/http/security-headers.ts) allows no eval. zod 4 compiles object
// parsers with `new Function` when it can, and finding out if it can is itself an eval
// attempt that the browser reports as a CSP violation; jitless skips the attempt.
z.config({ jitless: true });
