import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { FuzzySearchResponse, PrefixSearchResponse, SearchContext } from '../nomad-resources.types';
import { NomadResource } from './nomad-resource';

const hasMatches = (what: string) => ({ what });

/** /v1/search: resolve short IDs (prefix) and find things by part of their name (fuzzy). */
@Injectable()
export class NomadSearchApi extends NomadResource {
  /** IDs in `context` starting with `prefix` (how the CLI resolves a short alloc or eval ID). */
  async prefix(namespace: string, prefix: string, context: SearchContext = 'all'): Promise<PrefixSearchResponse> {
    const body = { Prefix: prefix, Context: context, Namespace: namespace };
    const path = nomadPath`search`;
    const res = await this.write<PrefixSearchResponse>('PUT', path, hasMatches('a search response with Matches'), { query: { namespace }, body });
    if (typeof res.Matches !== 'object' || res.Matches === null) throw this.badShape('PUT', path, hasMatches('a search response with Matches'));
    return res;
  }

  /** Objects whose name contains `text` (Nomad needs at least 2 characters). */
  async fuzzy(namespace: string, text: string, context: SearchContext = 'all'): Promise<FuzzySearchResponse> {
    const body = { Text: text, Context: context, Namespace: namespace };
    const path = nomadPath`search/fuzzy`;
    const res = await this.write<FuzzySearchResponse>('PUT', path, hasMatches('a search response with Matches'), { query: { namespace }, body });
    if (typeof res.Matches !== 'object' || res.Matches === null) throw this.badShape('PUT', path, hasMatches('a search response with Matches'));
    return res;
  }
}
