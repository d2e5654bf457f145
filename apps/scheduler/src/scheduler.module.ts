import { Module } from '@nestjs/common';
import { DailyReviewScheduler } from './daily-review/daily-review.scheduler';

@Module({ providers: [DailyReviewScheduler] })
export class SchedulerModule {}
