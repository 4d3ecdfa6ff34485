/**
 * Two environments whose alert rules go to the same Mimir ruler namespace: the same ruler URL, tenant
 * and `continuous.alerts.ruler.namespace` once defaults are applied (./continuous.ts
 * `continuousPlan`). `npm run rules -- --sync` makes the stack's groups in its namespace exactly its
 * environment's (docs/alerts.md "What the sync owns"), and both environments make groups of the same
 * names (`arcade-evidence-probes`, …), so each sync would replace the other's: the alerts would
 * carry whichever environment synced last. Refused where environments are loaded together
 * (./load.ts `loadEnvironments`: synth, diff of all, review), naming both files, the field and the
 * fix; and by `npm run rules -- --sync` for the environment it syncs, which a check reports as a
 * failing finding (./load.ts `loadEnvironment` hands it the clashes with the other valid environments).
 *
 * The default namespace, `arcade-stack-<env>`, is each environment's own (two environments never
 * share a name), so a clash needs one set by hand: the same namespace in two files, or one file
 * naming another environment's default. URLs compare as parsed (host case, a default port and a
 * trailing `/` aside); tenants and namespaces compare exactly, as Mimir does. Environments of
 * different clusters share a ruler only when its host names one server for every cluster
 * (`sameEverywhere` below); one ruler reached by two different URLs is not detected.
 */
import { BlockList, isIP } from 'node:net';
import { continuousPlan } from './continuous.js';
import type { Environment } from './schema.js';

/** An environment and its file as shown to people. */
interface Placed {
  readonly file: string;
  readonly env: Environment;
}

const FIELD = 'continuous.alerts.ruler.namespace';

/**
 * Addresses that mean this machine or a private network, so one in two clusters' files may be two
 * servers: loopback and "this host" (0.0.0.0/8, ::), RFC 1918, link-local, shared address space
 * (100.64.0.0/10, RFC 6598: carrier-grade NAT, used for pod and overlay networks), IPv6 unique local.
 * BlockList matches an IPv4-mapped IPv6 address (`[::ffff:127.0.0.1]`) against the IPv4 subnets.
 */
const LOCAL_ADDRESSES = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
] as const) {
  LOCAL_ADDRESSES.addSubnet(net, prefix, 'ipv4');
}
LOCAL_ADDRESSES.addAddress('::', 'ipv6');
LOCAL_ADDRESSES.addAddress('::1', 'ipv6');
LOCAL_ADDRESSES.addSubnet('fc00::', 7, 'ipv6');
LOCAL_ADDRESSES.addSubnet('fe80::', 10, 'ipv6');

/** Name suffixes resolved inside a cluster or a site: Kubernetes services, mDNS, cloud-internal DNS. */
const LOCAL_SUFFIXES = ['.svc', '.cluster.local', '.local', '.internal', '.localhost'];

/**
 * Whether a ruler URL's host names the same server from every cluster, so that two environments of
 * different clusters with the same URL, tenant and namespace write into one ruler namespace. Why:
 * a Mimir is most often reached inside its cluster (`mimir-nginx.mimir.svc:8080`,
 * `<service>.<namespace>`, a port-forward on `localhost`), and each cluster has a Mimir of its
 * own behind that same text; refusing those as one ruler would fail synth, diff and review for
 * every environment. So the host is one name for every cluster only when it is not localhost,
 * not a loopback, private (RFC 1918, unique local) or link-local address, has a dot, does not end
 * in one of LOCAL_SUFFIXES, is not a service name under a custom cluster domain
 * (`<service>.<namespace>.svc.<domain>`: its third label is `svc`), and has at least three labels
 * (a public Mimir endpoint has; a two-label name is a cluster's `<service>.<namespace>`). A public IP address is one server too.
 * Missed either way: a public two-label name is taken for a cluster's own, and one ruler written
 * two ways (a public name and its private address) is not compared at all (docs/alerts.md).
 */
function sameEverywhere(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const ip = isIP(host);
  if (ip !== 0) return !LOCAL_ADDRESSES.check(host, ip === 4 ? 'ipv4' : 'ipv6');
  if (host === 'localhost' || LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) return false;
  const labels = host.split('.');
  return labels.length >= 3 && labels[2] !== 'svc';
}

/**
 * Where the environment's rules are synced, as a comparable key, or undefined when it syncs none.
 * A host that is not the same everywhere (sameEverywhere) is the cluster's own: the key names it.
 */
function rulerOf(env: Environment): { key: string; url: string; tenant: string; namespace: string } | undefined {
  const ruler = continuousPlan(env)?.alerts.ruler;
  if (!ruler) return undefined;
  const parsed = new URL(ruler.url);
  // One trailing dot (a fully qualified `mimir.example.com.`) names the same host as none.
  parsed.hostname = parsed.hostname.replace(/\.$/, '');
  const url = parsed.href.replace(/\/+$/, '');
  const cluster = sameEverywhere(parsed) ? null : env.cluster;
  return { ...ruler, url, key: JSON.stringify([url, ruler.tenant, ruler.namespace, cluster]) };
}

/** How the environment came by its namespace: set in its file, or the default. */
function howSet(placed: Placed): string {
  return placed.env.continuous.alerts.ruler.namespace === undefined
    ? `${placed.env.name}: the default arcade-stack-${placed.env.name}`
    : `${placed.env.name}: set in its file`;
}

/** The problem of two environments sharing one ruler namespace. */
function clash(a: Placed, b: Placed, at: { url: string; tenant: string; namespace: string }): string {
  return (
    `${a.file} and ${b.file}: ${FIELD}: both environments sync their alert rules into ruler namespace ` +
    `'${at.namespace}' of tenant '${at.tenant}' at ${at.url} (${howSet(a)}; ${howSet(b)}), so each ` +
    "one's `npm run rules -- --sync` would replace the groups of the same names the other wrote " +
    `(fix: give each environment a ${FIELD} of its own; removing the field from a file gives it ` +
    'arcade-stack-<env>, which no other environment has)'
  );
}

/**
 * Every pair of `all` that share a ruler namespace, one problem each (pairs in the order given);
 * with `only`, just the pairs that include that environment (by name). Call it on valid environments.
 */
export function rulerClashes(all: readonly Placed[], only?: string): string[] {
  const problems: string[] = [];
  const seen: { placed: Placed; key: string }[] = [];
  for (const placed of all) {
    const ruler = rulerOf(placed.env);
    if (!ruler) continue;
    for (const earlier of seen) {
      if (earlier.key !== ruler.key) continue;
      if (only !== undefined && earlier.placed.env.name !== only && placed.env.name !== only) continue;
      problems.push(clash(earlier.placed, placed, ruler));
    }
    seen.push({ placed, key: ruler.key });
  }
  return problems;
}
