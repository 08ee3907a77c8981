import { Global, Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { StreamRecordsService } from './stream-records.service';

/** Database rows for relay streams (see {@link StreamRecordsService}). Global: seats, exams and streams read them. */
@Global()
@Module({ imports: [RelayModule], providers: [StreamRecordsService], exports: [StreamRecordsService] })
export class StreamRecordsModule {}
