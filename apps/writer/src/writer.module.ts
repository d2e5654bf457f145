import { Module } from '@nestjs/common';
import { HubSpotWriter } from './writebacks/hubspot-writer';
import { WritebackConsumer } from './writebacks/writeback.consumer';
import { WritebackService } from './writebacks/writeback.service';

@Module({ providers: [HubSpotWriter, WritebackService, WritebackConsumer] })
export class WriterModule {}
