/**
 * Rules used by reference. The others are regex literals in the DTO decorators, because the Swagger plugin
 * copies only literal patterns into the OpenAPI schema (and from there into the tool schemas).
 */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** Checked per item (each: true), so it is kept out of the array's own schema. */
export const DATACENTER = /^[\w.*-]{1,128}$/;
