/**
 * The names a CRD gives its group, Kind and versions, checked before they become folder and file
 * names in the CRD schema cache (`<cache>/<group>/<Kind>/<version>.json`, ./crd-cache.ts): a CRD
 * file is input, and a name like `../../package` would otherwise write outside the cache.
 *
 * The rules are the API server's own, so a CRD it accepts is never refused here, and one it refuses
 * is refused here too. Source: kubernetes/kubernetes
 * staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go,
 * `ValidateCustomResourceDefinitionSpec` (spec.group: `IsDNS1123Subdomain`, then "should be a
 * domain with at least one dot"; spec.versions[i].name: `IsDNS1035Label`) and
 * `ValidateCustomResourceDefinitionNames` (spec.names.kind: `IsDNS1035Label(strings.ToLower(kind))`,
 * "may have mixed case"); the formats are those of k8s.io/apimachinery/pkg/util/validation
 * (DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels; DNS-1035 label: at
 * most 63 characters). None of them can hold `/`, `\` or a `..` segment, nor start with `.`.
 */
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Why `group` is not a CRD group the API server accepts, or undefined when it is one. */
function groupProblem(group: string): string | undefined {
  if (group.length > 253 || !DNS1123_SUBDOMAIN.test(group))
    return "is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)";
  if (!group.includes('.')) return 'is not a domain with at least one dot';
  return undefined;
}

/** Why `kind` is not a CRD Kind the API server accepts (a DNS-1035 label in mixed case), or undefined. */
function kindProblem(kind: string): string | undefined {
  return kind.length > 63 || !DNS1035_LABEL.test(kind.toLowerCase())
    ? "is not a Kind (letters, digits and '-', starting with a letter, at most 63 characters)"
    : undefined;
}

/** Why `version` is not a CRD version name the API server accepts (a DNS-1035 label), or undefined. */
function versionProblem(version: string): string | undefined {
  return version.length > 63 || !DNS1035_LABEL.test(version)
    ? "is not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)"
    : undefined;
}

/** One name a CRD gives, where it stands (`spec.group`), and what fixes it. */
interface CrdName {
  readonly field: string;
  readonly value: string;
  readonly problem: string;
  readonly fix: string;
}

/**
 * The names of one CRD that the API server would refuse (and the cache cannot store): its group,
 * its Kind, and the name of each of its versions (`versions`: index and name), in that order.
 */
export function badCrdNames(
  group: string,
  kind: string,
  versions: readonly { readonly index: number; readonly name: string }[],
): CrdName[] {
  const out: CrdName[] = [];
  const g = groupProblem(group);
  if (g) out.push({ field: 'spec.group', value: group, problem: g, fix: 'a domain such as example.com' });
  const k = kindProblem(kind);
  if (k) out.push({ field: 'spec.names.kind', value: kind, problem: k, fix: 'a CamelCase name such as Widget' });
  for (const v of versions) {
    const problem = versionProblem(v.name);
    if (problem)
      out.push({
        field: `spec.versions[${v.index}].name`,
        value: v.name,
        problem,
        fix: 'a version such as v1 or v2beta1',
      });
  }
  return out;
}
