/**
 * Label selectors as the Kubernetes API server reads them (`a=1`, `a!=1`, `a in (1,2)`,
 * `a notin (1,2)`, `a`, `!a`, comma for "and"), for the loopback API stand-in's lists (./kube-api.ts).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */

/** Splits a selector on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Label selector semantics of the API server, for the operators the probes use. */
export function matchesSelector(labels: Record<string, string>, selector: string | undefined): boolean {
  if (!selector) return true;
  return terms(selector).every((term) => {
    const set = /^(?<key>\S+)\s+(?<op>in|notin)\s+\((?<values>[^)]*)\)$/.exec(term)?.groups;
    if (set?.key !== undefined && set.values !== undefined) {
      const value = labels[set.key];
      const has = value !== undefined && set.values.split(',').some((v) => v.trim() === value);
      return set.op === 'in' ? has : !has;
    }
    const equality = /^(?<key>[^!=\s]+)\s*(?<op>==|=|!=)\s*(?<value>\S*)$/.exec(term)?.groups;
    if (equality?.key !== undefined) {
      const same = labels[equality.key] === equality.value;
      return equality.op === '!=' ? !same : same;
    }
    if (term.startsWith('!')) return !(term.slice(1) in labels);
    return term in labels;
  });
}
