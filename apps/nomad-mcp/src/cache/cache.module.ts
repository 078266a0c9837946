import { Global, Module } from '@nestjs/common';
import { NomadReads } from './nomad-reads';
import { WatchCache } from './watch-cache';

/** The watch cache and the one provider the read operations ask (NomadReads); global, so metrics reach it too. */
@Global()
@Module({ providers: [WatchCache, NomadReads], exports: [WatchCache, NomadReads] })
export class CacheModule {}
