// Types of beside-bundle.mjs (plain JavaScript so the plain-node launcher's build record reads it too).

/** `<bundle>.built-from.json`: what the bundle was built from (src/tooling/build-record.mjs). */
export const BUILD_RECORD_SUFFIX: '.built-from.json';

/** `<bundle>.inputs.json`: the probe runner's list of its inputs (src/tooling/bundle.ts bundleProbeRunner). */
export const INPUTS_LIST_SUFFIX: '.inputs.json';

/** Every file written beside the probe runner's bundle `<file>`, as `<file><suffix>`. */
export const BESIDE_A_BUNDLE: readonly string[];
