import { InitialSchema1732780800000 } from './1732780800000-initial-schema';
import { CoalescingWindows1732867200000 } from './1732867200000-coalescing-windows';

/** Every migration, oldest first. Run by `npm run db:migrate`, never by synchronize. */
export const MIGRATIONS = [InitialSchema1732780800000, CoalescingWindows1732867200000];
