/**
 * Field shapes several sections of an environment file share: Kubernetes names, host names, Flux
 * durations, exact versions and http(s) URLs, each with an error that says what is expected.
 */
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { userinfoOf } from '../core/userinfo.js';

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Go duration as Flux accepts it (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`, from the Flux CRDs). */
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
export const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const dnsLabel = (what: string) =>
  z.string().max(63).regex(DNS_LABEL, `${what} must be a DNS-1123 label (lower-case letters, digits, '-')`);
/**
 * A bare host name. An internationalized one (`bücher.example`) is refused naming the ASCII form
 * DNS and TLS use, its punycode (`xn--bcher-kva.example`, url.domainToASCII): the manifests, the
 * certificates and the probes take that form; the name as written is never echoed. A value holding
 * `/` or `:` (`https://bücher.example/x`) is a URL or a host with a port: its mistake is that, so it
 * gets the bare-host message, whatever letters it holds.
 */
export const hostname = z.string().superRefine((value, ctx) => {
  if (DNS_SUBDOMAIN.test(value)) return;
  const international = !/[/:]/.test(value) && [...value].some((c) => (c.codePointAt(0) ?? 0) > 0x7f);
  const ascii = international ? domainToASCII(value) : '';
  const written = international
    ? DNS_SUBDOMAIN.test(ascii)
      ? `, here ${ascii} (fix: write ${ascii})`
      : ', and this one has none (fix: give a host name DNS accepts, e.g. api.arcade.example.com)'
    : undefined;
  ctx.addIssue({
    code: 'custom',
    message:
      written === undefined
        ? 'must be a bare host name such as api.arcade.example.com (no scheme, no path)'
        : `must be written in ASCII: an internationalized name in its punycode form (xn--...)${written}`,
  });
});
export const duration = z.string().regex(FLUX_DURATION, "must be a Go duration such as '10m' or '1h30m'");
/**
 * An http(s) URL with no userinfo: a `user:password@` would be a secret in git and in dist/, and
 * every message and report that names the URL would print it (the probes' targets, Mimir's push
 * URL, the ruler's URL, an issuer). The error does not quote the value.
 */
export const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .refine((value) => userinfoOf(value) === undefined, {
    error:
      'carries user:password@, which would be kept in git and dist/ and printed wherever the URL is named ' +
      '(fix: drop the user:password@ part; no URL of an environment or a targets file takes credentials)',
  });
