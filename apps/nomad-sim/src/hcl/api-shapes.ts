/**
 * The structs of Nomad's Go API package (api.Job and what it holds) as the jobspec decoder needs them: each
 * field's Go name in struct order (Go's JSON encoder writes them in that order, every field present), its
 * HCL name from the `hcl:"..."` tag (none: set by the server, never from HCL) and its kind. Pointer kinds
 * encode as null when unset, value kinds as their zero value. Taken from hashicorp/nomad v1.10.5 api/.
 */

export type Scalar = 's' | 'i' | 'b' | 'd' | 'ps' | 'pi' | 'pb' | 'pd';
export type Kind =
  | Scalar
  /** []string */
  | 'ls'
  /** map[string]string: a block of attributes, or (env and meta) an attribute holding an object */
  | 'ms'
  /** map[string][]string (a check's header block) */
  | 'mls'
  /** map[string]interface{}: a driver config; blocks inside become lists of objects */
  | 'cfg'
  /** a value the HCL never sets (Payload, VersionTag...): always null */
  | 'null'
  | { one: Shape }
  | { list: Shape }
  /** map[string]*Struct of labelled blocks (a group's volumes) */
  | { byLabel: Shape };

export interface Field {
  go: string;
  hcl?: string;
  kind: Kind;
  /** the block label goes here */
  label?: true;
  /** `hcl:"name"` without `optional` */
  required?: true;
}

export interface Shape {
  name: string;
  fields: Field[];
  /** block types Nomad reads that the simulator's parser does not map: refused with a clear diagnostic */
  unsupported?: string[];
  /** block types read by jobspec2 outside gohcl's decoding (a group's vault): the decoder leaves them alone */
  extras?: string[];
}

const f = (go: string, hcl: string | undefined, kind: Kind, extra: Partial<Field> = {}): Field => ({ go, hcl, kind, ...extra });

export const CONSTRAINT: Shape = { name: 'Constraint', fields: [f('LTarget', undefined, 's'), f('RTarget', undefined, 's'), f('Operand', undefined, 's')] };
export const AFFINITY: Shape = { name: 'Affinity', fields: [f('LTarget', undefined, 's'), f('RTarget', undefined, 's'), f('Operand', undefined, 's'), f('Weight', undefined, 'pi')] };

const SPREAD_TARGET: Shape = { name: 'SpreadTarget', fields: [f('Value', undefined, 's', { label: true }), f('Percent', 'percent', 'i')] };
const SPREAD: Shape = { name: 'Spread', fields: [f('Attribute', 'attribute', 's'), f('Weight', 'weight', 'pi'), f('SpreadTarget', 'target', { list: SPREAD_TARGET })] };

export const UPDATE: Shape = {
  name: 'UpdateStrategy',
  fields: [
    f('Stagger', 'stagger', 'pd'), f('MaxParallel', 'max_parallel', 'pi'), f('HealthCheck', 'health_check', 'ps'),
    f('MinHealthyTime', 'min_healthy_time', 'pd'), f('HealthyDeadline', 'healthy_deadline', 'pd'),
    f('ProgressDeadline', 'progress_deadline', 'pd'), f('Canary', 'canary', 'pi'), f('AutoRevert', 'auto_revert', 'pb'),
    f('AutoPromote', 'auto_promote', 'pb'),
  ],
};

export const PERIODIC: Shape = {
  name: 'PeriodicConfig',
  fields: [
    f('Enabled', 'enabled', 'pb'), f('Spec', 'cron', 'ps'), f('Specs', 'crons', 'ls'), f('SpecType', undefined, 'ps'),
    f('ProhibitOverlap', 'prohibit_overlap', 'pb'), f('TimeZone', 'time_zone', 'ps'),
  ],
};

const PARAMETERIZED: Shape = { name: 'ParameterizedJobConfig', fields: [f('Payload', 'payload', 's'), f('MetaRequired', 'meta_required', 'ls'), f('MetaOptional', 'meta_optional', 'ls')] };

export const RESCHEDULE: Shape = {
  name: 'ReschedulePolicy',
  fields: [
    f('Attempts', 'attempts', 'pi'), f('Interval', 'interval', 'pd'), f('Delay', 'delay', 'pd'),
    f('DelayFunction', 'delay_function', 'ps'), f('MaxDelay', 'max_delay', 'pd'), f('Unlimited', 'unlimited', 'pb'),
  ],
};

export const MIGRATE: Shape = {
  name: 'MigrateStrategy',
  fields: [f('MaxParallel', 'max_parallel', 'pi'), f('HealthCheck', 'health_check', 'ps'), f('MinHealthyTime', 'min_healthy_time', 'pd'), f('HealthyDeadline', 'healthy_deadline', 'pd')],
};

const UI_LINK: Shape = { name: 'JobUILink', fields: [f('Label', 'label', 's'), f('URL', 'url', 's')] };
const UI: Shape = { name: 'JobUIConfig', fields: [f('Description', 'description', 's'), f('Links', 'link', { list: UI_LINK })] };

export const RESTART: Shape = {
  name: 'RestartPolicy',
  fields: [f('Interval', 'interval', 'pd'), f('Attempts', 'attempts', 'pi'), f('Delay', 'delay', 'pd'), f('Mode', 'mode', 'ps'), f('RenderTemplates', 'render_templates', 'pb')],
};

const DISCONNECT: Shape = {
  name: 'DisconnectStrategy',
  fields: [f('LostAfter', 'lost_after', 'pd'), f('StopOnClientAfter', 'stop_on_client_after', 'pd'), f('Replace', 'replace', 'pb'), f('Reconcile', 'reconcile', 'ps')],
};

const EPHEMERAL_DISK: Shape = { name: 'EphemeralDisk', fields: [f('Sticky', 'sticky', 'pb'), f('Migrate', 'migrate', 'pb'), f('SizeMB', 'size', 'pi')] };

const PORT: Shape = {
  name: 'Port',
  fields: [f('Label', undefined, 's', { label: true }), f('Value', 'static', 'i'), f('To', 'to', 'i'), f('HostNetwork', 'host_network', 's'), f('IgnoreCollision', 'ignore_collision', 'b')],
};
const DNS: Shape = { name: 'DNSConfig', fields: [f('Servers', 'servers', 'ls'), f('Searches', 'searches', 'ls'), f('Options', 'options', 'ls')] };

export const NETWORK: Shape = {
  name: 'NetworkResource',
  fields: [
    f('Mode', 'mode', 's'), f('Device', 'device', 's'), f('CIDR', 'cidr', 's'), f('IP', 'ip', 's'), f('DNS', 'dns', { one: DNS }),
    f('ReservedPorts', 'reserved_ports', { list: PORT }), f('DynamicPorts', 'port', { list: PORT }), f('Hostname', 'hostname', 's'),
    f('MBits', 'mbits', 'pi'), f('CNI', undefined, 'null'),
  ],
  unsupported: ['cni'],
};

export const CHECK_RESTART: Shape = { name: 'CheckRestart', fields: [f('Limit', 'limit', 'i'), f('Grace', 'grace', 'pd'), f('IgnoreWarnings', 'ignore_warnings', 'b')] };

export const CHECK: Shape = {
  name: 'ServiceCheck',
  fields: [
    f('Name', 'name', 's'), f('Type', 'type', 's'), f('Command', 'command', 's'), f('Args', 'args', 'ls'), f('Path', 'path', 's'),
    f('Protocol', 'protocol', 's'), f('PortLabel', 'port', 's'), f('Expose', 'expose', 'b'), f('AddressMode', 'address_mode', 's'),
    f('Advertise', 'advertise', 's'), f('Interval', 'interval', 'd'), f('Timeout', 'timeout', 'd'), f('InitialStatus', 'initial_status', 's'),
    f('Notes', 'notes', 's'), f('TLSServerName', 'tls_server_name', 's'), f('TLSSkipVerify', 'tls_skip_verify', 'b'), f('Header', 'header', 'mls'),
    f('Method', 'method', 's'), f('CheckRestart', 'check_restart', { one: CHECK_RESTART }), f('GRPCService', 'grpc_service', 's'),
    f('GRPCUseTLS', 'grpc_use_tls', 'b'), f('TaskName', 'task', 's'), f('SuccessBeforePassing', 'success_before_passing', 'i'),
    f('FailuresBeforeCritical', 'failures_before_critical', 'i'), f('FailuresBeforeWarning', 'failures_before_warning', 'i'),
    f('Body', 'body', 's'), f('OnUpdate', 'on_update', 's'),
  ],
};

export const SERVICE: Shape = {
  name: 'Service',
  fields: [
    f('Name', 'name', 's'), f('Tags', 'tags', 'ls'), f('CanaryTags', 'canary_tags', 'ls'), f('EnableTagOverride', 'enable_tag_override', 'b'),
    f('PortLabel', 'port', 's'), f('AddressMode', 'address_mode', 's'), f('Address', 'address', 's'), f('Checks', 'check', { list: CHECK }),
    f('CheckRestart', 'check_restart', { one: CHECK_RESTART }), f('Connect', undefined, 'null'), f('Meta', 'meta', 'ms'),
    f('CanaryMeta', 'canary_meta', 'ms'), f('TaggedAddresses', 'tagged_addresses', 'ms'), f('TaskName', 'task', 's'),
    f('OnUpdate', 'on_update', 's'), f('Identity', undefined, 'null'), f('Weights', undefined, 'null'), f('Provider', 'provider', 's'),
    f('Cluster', 'cluster', 's'), f('Kind', 'kind', 's'),
  ],
  unsupported: ['connect', 'identity', 'weights'],
};

export const RESOURCES: Shape = {
  name: 'Resources',
  fields: [
    f('CPU', 'cpu', 'pi'), f('Cores', 'cores', 'pi'), f('MemoryMB', 'memory', 'pi'), f('MemoryMaxMB', 'memory_max', 'pi'),
    f('DiskMB', 'disk', 'pi'), f('Networks', 'network', { list: NETWORK }), f('Devices', undefined, 'null'), f('NUMA', undefined, 'null'),
    f('SecretsMB', 'secrets', 'pi'), f('IOPS', 'iops', 'pi'),
  ],
  unsupported: ['device', 'numa'],
};

export const LOG_CONFIG: Shape = { name: 'LogConfig', fields: [f('MaxFiles', 'max_files', 'pi'), f('MaxFileSizeMB', 'max_file_size', 'pi'), f('Enabled', 'enabled', 'pb'), f('Disabled', 'disabled', 'pb')] };

export const ARTIFACT: Shape = {
  name: 'TaskArtifact',
  fields: [
    f('GetterSource', 'source', 'ps'), f('GetterOptions', 'options', 'ms'), f('GetterHeaders', 'headers', 'ms'), f('GetterMode', 'mode', 'ps'),
    f('GetterInsecure', 'insecure', 'pb'), f('RelativeDest', 'destination', 'ps'), f('Chown', 'chown', 'b'),
  ],
};

export const VAULT: Shape = {
  name: 'Vault',
  fields: [
    f('Policies', 'policies', 'ls'), f('Role', 'role', 's'), f('Namespace', 'namespace', 'ps'), f('Cluster', 'cluster', 's'), f('Env', 'env', 'pb'),
    f('DisableFile', 'disable_file', 'pb'), f('ChangeMode', 'change_mode', 'ps'), f('ChangeSignal', 'change_signal', 'ps'),
    f('AllowTokenExpiration', 'allow_token_expiration', 'pb'),
  ],
};

export const TEMPLATE: Shape = {
  name: 'Template',
  fields: [
    f('SourcePath', 'source', 'ps'), f('DestPath', 'destination', 'ps'), f('EmbeddedTmpl', 'data', 'ps'), f('ChangeMode', 'change_mode', 'ps'),
    f('ChangeScript', undefined, 'null'), f('ChangeSignal', 'change_signal', 'ps'), f('Once', 'once', 'pb'), f('Splay', 'splay', 'pd'),
    f('Perms', 'perms', 'ps'), f('Uid', 'uid', 'pi'), f('Gid', 'gid', 'pi'), f('LeftDelim', 'left_delimiter', 'ps'),
    f('RightDelim', 'right_delimiter', 'ps'), f('Envvars', 'env', 'pb'), f('VaultGrace', 'vault_grace', 'pd'), f('Wait', undefined, 'null'),
    f('ErrMissingKey', 'error_on_missing_key', 'pb'),
  ],
  unsupported: ['change_script', 'wait'],
};

const LIFECYCLE: Shape = { name: 'TaskLifecycle', fields: [f('Hook', 'hook', 's', { required: true }), f('Sidecar', 'sidecar', 'b')] };
const DISPATCH_PAYLOAD: Shape = { name: 'DispatchPayloadConfig', fields: [f('File', 'file', 's')] };
const VOLUME_MOUNT: Shape = {
  name: 'VolumeMount',
  fields: [f('Volume', 'volume', 'ps'), f('Destination', 'destination', 'ps'), f('ReadOnly', 'read_only', 'pb'), f('PropagationMode', 'propagation_mode', 'ps'), f('SELinuxLabel', 'selinux_label', 'ps')],
};
export const IDENTITY: Shape = {
  name: 'WorkloadIdentity',
  fields: [
    f('Name', 'name', 's'), f('Audience', 'aud', 'ls'), f('ChangeMode', 'change_mode', 's'), f('ChangeSignal', 'change_signal', 's'),
    f('Env', 'env', 'b'), f('File', 'file', 'b'), f('Filepath', 'filepath', 's'), f('ServiceName', 'service_name', 's'), f('TTL', 'ttl', 'd'),
  ],
};

export const TASK: Shape = {
  name: 'Task',
  fields: [
    f('Name', undefined, 's', { label: true }), f('Driver', 'driver', 's'), f('User', 'user', 's'), f('Lifecycle', 'lifecycle', { one: LIFECYCLE }),
    f('Config', 'config', 'cfg'), f('Constraints', 'constraint', { list: CONSTRAINT }), f('Affinities', 'affinity', { list: AFFINITY }),
    f('Env', 'env', 'ms'), f('Services', 'service', { list: SERVICE }), f('Resources', 'resources', { one: RESOURCES }),
    f('RestartPolicy', 'restart', { one: RESTART }), f('Meta', 'meta', 'ms'), f('KillTimeout', 'kill_timeout', 'pd'),
    f('LogConfig', 'logs', { one: LOG_CONFIG }), f('Artifacts', 'artifact', { list: ARTIFACT }), f('Vault', 'vault', { one: VAULT }),
    f('Consul', undefined, 'null'), f('Templates', 'template', { list: TEMPLATE }), f('DispatchPayload', 'dispatch_payload', { one: DISPATCH_PAYLOAD }),
    f('VolumeMounts', 'volume_mount', { list: VOLUME_MOUNT }), f('Leader', 'leader', 'b'), f('ShutdownDelay', 'shutdown_delay', 'd'),
    f('KillSignal', 'kill_signal', 's'), f('Kind', 'kind', 's'), f('ScalingPolicies', undefined, 'null'), f('Identity', undefined, 'null'),
    f('Identities', 'identity', { list: IDENTITY }), f('Actions', undefined, 'null'), f('Schedule', undefined, 'null'),
  ],
  // CSIPluginConfig is `json:",omitempty"`: absent from the JSON unless set, and csi_plugin is refused
  unsupported: ['consul', 'csi_plugin', 'scaling', 'action', 'schedule', 'secret'],
};

const VOLUME: Shape = {
  name: 'VolumeRequest',
  fields: [
    f('Name', undefined, 's', { label: true }), f('Type', 'type', 's'), f('Source', 'source', 's'), f('ReadOnly', 'read_only', 'b'),
    f('Sticky', 'sticky', 'b'), f('AccessMode', 'access_mode', 's'), f('AttachmentMode', 'attachment_mode', 's'),
    f('MountOptions', undefined, 'null'), f('PerAlloc', 'per_alloc', 'b'),
  ],
  unsupported: ['mount_options'],
};

export const GROUP: Shape = {
  name: 'TaskGroup',
  fields: [
    f('Name', undefined, 'ps', { label: true }), f('Count', 'count', 'pi'), f('Constraints', 'constraint', { list: CONSTRAINT }),
    f('Affinities', 'affinity', { list: AFFINITY }), f('Tasks', 'task', { list: TASK }), f('Spreads', 'spread', { list: SPREAD }),
    f('Volumes', 'volume', { byLabel: VOLUME }), f('RestartPolicy', 'restart', { one: RESTART }), f('Disconnect', 'disconnect', { one: DISCONNECT }),
    f('ReschedulePolicy', 'reschedule', { one: RESCHEDULE }), f('EphemeralDisk', 'ephemeral_disk', { one: EPHEMERAL_DISK }),
    f('Update', 'update', { one: UPDATE }), f('Migrate', 'migrate', { one: MIGRATE }), f('Networks', 'network', { list: NETWORK }),
    f('Meta', 'meta', 'ms'), f('Services', 'service', { list: SERVICE }), f('ShutdownDelay', 'shutdown_delay', 'pd'),
    f('StopAfterClientDisconnect', 'stop_after_client_disconnect', 'pd'), f('MaxClientDisconnect', 'max_client_disconnect', 'pd'),
    f('Scaling', undefined, 'null'), f('Consul', undefined, 'null'), f('PreventRescheduleOnLost', 'prevent_reschedule_on_lost', 'pb'),
  ],
  unsupported: ['scaling', 'consul', 'secret'],
  extras: ['vault'],
};

export const JOB: Shape = {
  name: 'Job',
  fields: [
    f('Region', 'region', 'ps'), f('Namespace', 'namespace', 'ps'), f('ID', 'id', 'ps'), f('Name', 'name', 'ps'), f('Type', 'type', 'ps'),
    f('Priority', 'priority', 'pi'), f('AllAtOnce', 'all_at_once', 'pb'), f('Datacenters', 'datacenters', 'ls'), f('NodePool', 'node_pool', 'ps'),
    f('Constraints', 'constraint', { list: CONSTRAINT }), f('Affinities', 'affinity', { list: AFFINITY }), f('TaskGroups', 'group', { list: GROUP }),
    f('Update', 'update', { one: UPDATE }), f('Multiregion', undefined, 'null'), f('Spreads', 'spread', { list: SPREAD }),
    f('Periodic', 'periodic', { one: PERIODIC }), f('ParameterizedJob', 'parameterized', { one: PARAMETERIZED }),
    f('Reschedule', 'reschedule', { one: RESCHEDULE }), f('Migrate', 'migrate', { one: MIGRATE }), f('Meta', 'meta', 'ms'), f('UI', 'ui', { one: UI }),
    f('Stop', undefined, 'pb'), f('ParentID', undefined, 'ps'), f('Dispatched', undefined, 'b'), f('DispatchIdempotencyToken', undefined, 'ps'),
    f('Payload', undefined, 'null'), f('ConsulNamespace', undefined, 'ps'), f('VaultNamespace', undefined, 'ps'), f('NomadTokenID', undefined, 'ps'),
    f('Status', undefined, 'ps'), f('StatusDescription', undefined, 'ps'), f('Stable', undefined, 'pb'), f('Version', undefined, 'pi'),
    f('SubmitTime', undefined, 'pi'), f('CreateIndex', undefined, 'pi'), f('ModifyIndex', undefined, 'pi'), f('JobModifyIndex', undefined, 'pi'),
    f('VersionTag', undefined, 'null'),
  ],
  unsupported: ['multiregion', 'secret'],
};
