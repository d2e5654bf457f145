import { InitialSchema1732780800000 } from './1732780800000-initial-schema';
import { CoalescingWindows1732867200000 } from './1732867200000-coalescing-windows';
import { OutboxParked1732953600000 } from './1732953600000-outbox-parked';
import { HubSpotBudgets1733040000000 } from './1733040000000-hubspot-budgets';
import { DecisionInputIndex1733126400000 } from './1733126400000-decision-input-index';
import { AppendLockAndRead1733212800000 } from './1733212800000-append-lock-and-read';
import { ModelCostIndex1733299200000 } from './1733299200000-model-cost-index';
import { UnloggedBudgets1733385600000 } from './1733385600000-unlogged-budgets';
import { ReplayCostIndex1733472000000 } from './1733472000000-replay-cost-index';
import { SubjectKeys1733731200000 } from './1733731200000-subject-keys';
import { PortalConnections1733817600000 } from './1733817600000-portal-connections';
import { Backfills1733904000000 } from './1733904000000-backfills';
import { DealAssessments1733990400000 } from './1733990400000-deal-assessments';

/** Every migration, oldest first. Run by `npm run db:migrate`, never by synchronize. */
export const MIGRATIONS = [InitialSchema1732780800000, CoalescingWindows1732867200000, OutboxParked1732953600000, HubSpotBudgets1733040000000, DecisionInputIndex1733126400000, AppendLockAndRead1733212800000, ModelCostIndex1733299200000, UnloggedBudgets1733385600000, ReplayCostIndex1733472000000, SubjectKeys1733731200000, PortalConnections1733817600000, Backfills1733904000000, DealAssessments1733990400000];
