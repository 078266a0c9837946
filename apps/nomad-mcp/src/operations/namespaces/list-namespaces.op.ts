import { Inject } from '@nestjs/common';
import { NomadNamespacesApi } from '@nomad-mcp/nomad';
import { AppConfig, APP_CONFIG } from '../../config/env.schema';
import { plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { clip, table } from '../core/render';
import { ListNamespacesQueryDto, ListNamespacesResult } from './dto/namespace.dto';

@Operation({
  name: 'list_namespaces',
  title: 'List namespaces',
  description:
    'List the Nomad namespaces you may use (others are left out), with their descriptions, and say which one the tools use when no namespace is given. ' +
    'Use it to find where a job lives before list_jobs. Read-only.',
  input: ListNamespacesQueryDto,
  output: ListNamespacesResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 950,
  rest: { method: 'GET', path: 'namespaces' },
})
export class ListNamespacesOp implements OperationHandler<ListNamespacesQueryDto, ListNamespacesResult> {
  constructor(
    private readonly namespaces: NomadNamespacesApi,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(ctx: OperationContext, q: ListNamespacesQueryDto): Promise<ListNamespacesResult> {
    const fallback = this.config.defaultNamespace;
    // Nomad lists what its token may see; of that, the caller gets what its identity may use
    const visible = (await this.namespaces.list()).body
      .filter((n) => ctx.visible(n.Name) && n.Name.startsWith(q.prefix ?? ''))
      .sort((a, b) => a.Name.localeCompare(b.Name));
    const names = visible.map((n) => n.Name);
    const defaultNote = names.includes(fallback) ? `; the default is '${fallback}'`
      : q.prefix ? '' : `; the default namespace '${fallback}' is not among them, so pass namespace to the other tools`;
    return {
      message: visible.length
        ? `${plural(visible.length, 'namespace')} you may use${q.prefix ? ` starting with '${q.prefix}'` : ''}: ${names.join(', ')}${defaultNote}.`
        : q.prefix ? `You may use no namespace whose name starts with '${q.prefix}'; call list_namespaces without prefix to see all.`
          : 'You may use no namespace that exists in Nomad: ask an operator for access.',
      default_namespace: fallback, count: visible.length,
      namespaces: visible.map((n) => ({ name: n.Name, description: n.Description ?? '', default: n.Name === fallback })),
    };
  }

  render(r: ListNamespacesResult): string {
    if (!r.namespaces.length) return r.message;
    return `${r.message}\n\n${table(r.namespaces.map((n) => ({ ...n, default: n.default ? 'yes' : '', description: clip(n.description, 80) })), ['name', 'default', 'description'])}`;
  }
}
