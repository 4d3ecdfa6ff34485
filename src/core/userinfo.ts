/**
 * A URL as a message or a report may show it: without its userinfo (`https://admin:<password>@host`
 * is shown as `https://host`), for the GitOps remote of a push (src/delivery/push.ts) and a
 * kubeconfig cluster's server and proxy-url (src/kube/kubeconfig.ts, src/kube/credential-refusal.ts).
 * The authority ends at the first `/`, `?` or `#`; its userinfo is everything up to its last `@`
 * (an `@` in a password that was not percent-encoded goes too). A text that is not a URL, or has no
 * userinfo, is returned as it is.
 */
export function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}
