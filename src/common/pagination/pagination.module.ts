import { Global, Module } from '@nestjs/common';
import { Paginator } from './paginator.js';

/** Makes {@link Paginator} available to every feature module. */
@Global()
@Module({ providers: [Paginator], exports: [Paginator] })
export class PaginationModule {}
