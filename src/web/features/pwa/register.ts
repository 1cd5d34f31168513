// Imported for its effect by main.tsx: one line there, everything else here.
import { startPwa } from './pwa.js';

startPwa();
