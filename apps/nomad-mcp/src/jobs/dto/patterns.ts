/** Input rules shared by the DTOs; at least as strict as Nomad's own (BEHAVIOUR.md §6). */
export const JOB_ID = /^(?!\.{1,2}$)[^\s\x00-\x1f\x7f]+$/;
export const NAMESPACE = /^[a-zA-Z0-9-]{1,128}$/;
export const NAMESPACE_OR_ALL = /^(\*|[a-zA-Z0-9-]{1,128})$/;
export const TASK_NAME = /^[^/\\\x00-\x1f\x7f]+$/;
export const ALLOC_ID = /^[0-9a-fA-F-]{8,36}$/;
export const PORT_LABEL = /^[a-zA-Z0-9_]+$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
export const DATACENTER = /^[\w.*-]{1,128}$/;
export const DOCKER_IMAGE = /^[a-z0-9][a-z0-9._\-/:@]*$/i;
