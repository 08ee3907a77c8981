import { Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { StreamsController } from './streams.controller';

/** Live streams over REST: list, keyframe, frame rate, end. */
@Module({ imports: [RelayModule], controllers: [StreamsController] })
export class StreamsApiModule {}
