// The files written beside a bundle, one list for their writers and readers (plain JavaScript so the
// plain-node launcher's build record reads it too; types in beside-bundle.d.mts).

/** `<bundle>.built-from.json`: what the bundle was built from (src/tooling/build-record.mjs). */
export const BUILD_RECORD_SUFFIX = '.built-from.json';

/** `<bundle>.inputs.json`: the probe runner's list of its inputs (src/tooling/bundle.ts bundleProbeRunner). */
export const INPUTS_LIST_SUFFIX = '.inputs.json';

/**
 * Every file written beside the probe runner's bundle `<file>`, as `<file><suffix>`: scripts/bundle.ts
 * checks each before anything is built, and a bundled runner's environments folder, which holds
 * them, does not read them as misspelt environment files (src/environments/load.ts).
 */
export const BESIDE_A_BUNDLE = [INPUTS_LIST_SUFFIX, BUILD_RECORD_SUFFIX];
