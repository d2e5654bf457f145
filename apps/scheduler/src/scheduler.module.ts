import { Module } from '@nestjs/common';
import { DailyReviewScheduler } from './daily-review/daily-review.scheduler';
import { RetentionScheduler } from './retention/retention.scheduler';

@Module({ providers: [DailyReviewScheduler, RetentionScheduler] })
export class SchedulerModule {}
