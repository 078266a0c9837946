// one implementation, in the Nomad client, which also uses it for every message it builds
export { redactUrl } from '@nomad-mcp/nomad';
