import { CommandError } from '../core/command-error.js';

/**
 * Errors `seal` reports to a person: each message names the field or source and the fix. The
 * script prints their message alone (no stack); anything else is a bug and keeps its stack.
 */
export class SealError extends CommandError {}

/** The sealing certificate is unusable (unparseable, expired, not yet valid, not RSA). */
export class CertificateError extends SealError {}

/** The certificate could not be fetched from the controller. */
export class CertificateFetchError extends SealError {}

/** The environment file cannot take the sealed value. */
export class EnvironmentFileError extends SealError {}
