import { InitialSchema1732780800000 } from './1732780800000-initial-schema';

/** Every migration, oldest first. Run by `npm run db:migrate`, never by synchronize. */
export const MIGRATIONS = [InitialSchema1732780800000];
