import type { GetPromptResult, Prompt } from '@modelcontextprotocol/sdk/types.js';
import { JsonRpcError } from './mcp-sdk';
import { mcpError } from './mcp-call';

/** What a prompt's text is built from: its arguments, the caller's tools, the default namespace. */
interface PromptInput {
  args: Record<string, string>;
  /** The tools this caller is offered (registered and allowed): steps whose tools are missing read otherwise. */
  tools: ReadonlySet<string>;
  defaultNamespace: string;
}

interface PromptDefinition extends Prompt {
  text(input: PromptInput): string;
}

/** A step of a procedure: shown when the caller has every tool it needs, else its `otherwise` (if any). */
interface Step {
  needs?: string[];
  text: string;
  otherwise?: string;
}

const NO_WORKAROUNDS =
  "The service's safety checks are not to be worked around: when a tool refuses (a scope, a namespace, read-only mode) " +
  "or asks for the user's confirmation, tell the user and stop there or ask them; never reach the same end with other tools, " +
  'other arguments or another identity, and never pass a confirm_token the user has not agreed to.';

/** A tool call as a model writes it: the name and its JSON arguments (the values quoted, whatever they hold). */
const call = (tool: string, args: Record<string, string | undefined>): string =>
  `${tool} ${JSON.stringify(Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)))}`;

/** The steps the caller can take, numbered. */
function steps(tools: ReadonlySet<string>, list: Step[]): string {
  const shown = list.map((s) => ((s.needs ?? []).every((t) => tools.has(t)) ? s.text : s.otherwise)).filter((t): t is string => !!t);
  return shown.map((t, i) => `${i + 1}. ${t}`).join('\n');
}

/** "namespace 'x'", or the default one when the user gave none (then the tools are called without namespace). */
function where(args: Record<string, string>, fallback: string): { ns: string | undefined; text: string } {
  return args.namespace ? { ns: args.namespace, text: `namespace '${args.namespace}'` } : { ns: undefined, text: `the default namespace ('${fallback}')` };
}

export const PROMPTS: readonly PromptDefinition[] = [
  {
    name: 'diagnose-failing-job',
    title: 'Diagnose a failing job',
    description: 'Find out why a job fails or does not run, from its status, task events and logs, without changing anything.',
    arguments: [
      { name: 'job_id', description: 'The job to diagnose.', required: true },
      { name: 'namespace', description: "The job's namespace (the service's default when left out).", required: false },
    ],
    text: ({ args, tools, defaultNamespace }) => {
      const { ns, text } = where(args, defaultNamespace);
      const ref = { job_id: args.job_id, namespace: ns };
      return [
        `Diagnose why the Nomad job '${args.job_id}' in ${text} is failing, with the nomad-mcp tools, and change nothing.`,
        '',
        steps(tools, [
          { text: `${call('get_job_status', ref)}: its status, allocations by state, latest deployment, the problems (task events, causes first) and placement failures.` },
          {
            text: `If a task fails or restarts: ${call('get_job_logs', ref)} (stderr shows most crashes; grep narrows a long log). For a crash loop, ` +
              `${call('list_allocations', { ...ref, status: 'failed' })} finds the allocation that failed, and get_job_logs with its alloc_id reads it.`,
          },
          { text: 'If allocations are not placed: the placement failures say why; list_nodes and get_node show what the nodes have, get_evaluation why an evaluation is blocked.' },
          {
            needs: ['find_problems'],
            text: `If the cause may lie outside the job (a node down, draining or ineligible; the cluster full): ${call('find_problems', { namespace: ns })} lists what else is wrong there and on the nodes, each with the tool to call next.`,
          },
          { needs: ['list_job_versions'], text: `If it broke after a change: ${call('list_job_versions', ref)} shows what the latest version changed; get_deployment how its rollout went.` },
          { needs: ['get_job_spec'], text: `${call('get_job_spec', ref)} shows what the job asks for (image, resources, ports) to compare with what the events and logs say.` },
        ]),
        '',
        'Then answer: what fails, the evidence (quote the event or log line), the likely cause, and the fix you propose. Do not make the fix ' +
          'yourself: propose it (for example revert_job to the last stable version, or a corrected spec) and wait for the user to agree.',
        NO_WORKAROUNDS,
      ].join('\n');
    },
  },
  {
    name: 'roll-out-new-image',
    title: 'Roll out a new image safely',
    description: "Change a job's container image: plan, the user's confirmation, apply, wait for the rollout, verify, and what to do when it fails.",
    arguments: [
      { name: 'job_id', description: 'The job to update.', required: true },
      { name: 'image', description: 'The new image, e.g. nginx:1.27.', required: true },
      { name: 'namespace', description: "The job's namespace (the service's default when left out).", required: false },
    ],
    text: ({ args, tools, defaultNamespace }) => {
      const { ns, text } = where(args, defaultNamespace);
      const ref = { job_id: args.job_id, namespace: ns };
      const canApply = tools.has('plan_job') && tools.has('register_job');
      const viaCreate = !canApply && tools.has('create_job');
      return [
        `Roll out the image '${args.image}' to the Nomad job '${args.job_id}' in ${text}, with the nomad-mcp tools, one step after the other.`,
        '',
        steps(tools, [
          { text: `Baseline: ${call('get_job_status', ref)}. Note its version and healthy allocations; if a deployment is still running or the job is failing, stop and tell the user first.` },
          { needs: ['get_job_spec'], text: `${call('get_job_spec', ref)}: which task runs which image. If several tasks have an image and the user did not say which one, ask.` },
          canApply
            ? { text: "Plan: plan_job with the job's spec changed in that task's image only. Show the user the diff: only the image may change; if anything else changes or Nomad cannot place the new version, stop and say why." }
            : viaCreate
              ? { text: `Plan: this service has no plan_job. create_job changes the image only of a job create_job made (it refuses others: then tell the user); describe the change to the user (job, current image, '${args.image}') before anything is applied.` }
              : { text: 'This identity has no tool that changes a job: tell the user what the rollout would change and that it needs someone with the write scope. Stop here.' },
          ...(canApply || viaCreate ? [
            { text: 'Confirm: ask the user to approve exactly this change, and go on only on a clear yes.' },
            {
              text: `Apply: ${canApply ? "register_job with the same spec and the plan's job_modify_index" : `create_job with the job's current settings and docker_image '${args.image}'`}. ` +
                'If the answer is a plan with a confirm_token, that is the service asking for the user\'s confirmation: show that plan, and call again with the token only if it is the change the user approved. ' +
                'If the job changed since the plan, plan again.',
            },
            { needs: ['wait_for_deployment'], text: `Wait: ${call('wait_for_deployment', ref)} until the rollout succeeds or fails (a job without an update block has no deployment: then follow get_job_status).` },
            { text: `Verify: ${call('get_job_status', ref)} shows the new version with every allocation healthy and no problems; ${call('get_job_logs', ref)} shows it starts without errors.` },
            {
              needs: ['revert_job'],
              text: `If the rollout failed: show the user why (get_job_status, get_job_logs) and propose going back — ${call('list_job_versions', ref)} names the last stable version for revert_job, ` +
                'fail_deployment stops a rollout still in progress; both only after the user agrees.',
              otherwise: 'If the rollout failed: show the user why (get_job_status, get_job_logs) and that going back needs someone who may revert the job.',
            },
          ] : []),
        ]),
        '',
        NO_WORKAROUNDS,
      ].join('\n');
    },
  },
  {
    name: 'drain-node-safely',
    title: 'Drain a node safely',
    description: 'Take a client node out of service for maintenance: check where its allocations can go and what goes down, drain with the user\'s confirmation, follow it.',
    arguments: [{ name: 'node_id', description: 'The node to drain (its ID or a unique prefix of 8+ hex characters).', required: true }],
    text: ({ args, tools }) => {
      const ref = { node_id: args.node_id };
      return [
        `Drain the Nomad client node '${args.node_id}' safely, with the nomad-mcp tools, one step after the other.`,
        '',
        steps(tools, [
          { text: `${call('get_node', ref)}: its status, eligibility, whether it already drains, and the allocations running on it.` },
          { text: 'list_nodes {}: are there other ready, eligible nodes with room for those allocations? If not, stop: a drain would leave them unplaced. Tell the user.' },
          { text: 'For each job with allocations on the node, get_job_status: a service with a single allocation is down while it moves, and a running deployment should finish first. Tell the user what will be interrupted.' },
          {
            needs: ['drain_node'],
            text: `${call('drain_node', ref)} with a deadline the user agrees to: the first call answers the plan (the allocations that move) and a confirm_token; show the plan, and call again with the token only after the user approved it. ` +
              'If it does not ask, you still need the user\'s yes before that first call.',
            otherwise: 'drain_node is not among your tools (it needs the admin scope, or this service does not offer it): stop here and tell the user what a drain would move. ' +
              'Do not imitate a drain by stopping or restarting the allocations one by one.',
          },
          { needs: ['drain_node'], text: `Follow: ${call('get_node', ref)} until no allocation runs there, and get_job_status for each job that moved: running elsewhere and healthy.` },
          { needs: ['set_node_eligibility'], text: "The node stays ineligible after the drain: set_node_eligibility makes it eligible again once the user says the maintenance is done." },
        ]),
        '',
        NO_WORKAROUNDS,
      ].join('\n');
    },
  },
];

/** The prompts as prompts/list shows them. */
export function listPrompts(): Prompt[] {
  return PROMPTS.map(({ text: _text, ...prompt }) => prompt);
}

/** Longest argument value a prompt takes (job IDs are at most 256 characters). */
const MAX_ARGUMENT = 256;

/** prompts/get: the prompt's one user message; an unknown prompt or a missing or malformed argument is invalid params. */
export function getPrompt(name: string, rawArgs: Record<string, string> | undefined, context: Omit<PromptInput, 'args'>): GetPromptResult {
  const prompt = PROMPTS.find((p) => p.name === name);
  if (!prompt) throw mcpError(JsonRpcError.InvalidParams, `Unknown prompt '${name}'. The prompts are ${PROMPTS.map((p) => p.name).join(', ')} (prompts/list).`);
  const args: Record<string, string> = {};
  for (const a of prompt.arguments ?? []) {
    const value = rawArgs?.[a.name]?.trim();
    if (!value) {
      if (a.required) throw mcpError(JsonRpcError.InvalidParams, `Prompt '${name}' needs the argument '${a.name}': ${a.description}`);
      continue;
    }
    if (value.length > MAX_ARGUMENT || /[\x00-\x1f\x7f]/.test(value)) {
      throw mcpError(JsonRpcError.InvalidParams, `Prompt '${name}': the argument '${a.name}' must be at most ${MAX_ARGUMENT} characters without control characters.`);
    }
    args[a.name] = value;
  }
  const unknown = Object.keys(rawArgs ?? {}).filter((k) => !(prompt.arguments ?? []).some((a) => a.name === k));
  if (unknown.length) {
    throw mcpError(JsonRpcError.InvalidParams, `Prompt '${name}' has no argument ${unknown.map((k) => `'${k}'`).join(', ')}; its arguments are ${(prompt.arguments ?? []).map((a) => a.name).join(', ')}.`);
  }
  return {
    description: prompt.description,
    messages: [{ role: 'user', content: { type: 'text', text: prompt.text({ ...context, args }) } }],
  };
}

/** The argument names of a prompt (completion/complete checks them); undefined for an unknown prompt. */
export function promptArguments(name: string): string[] | undefined {
  return PROMPTS.find((p) => p.name === name)?.arguments?.map((a) => a.name);
}
