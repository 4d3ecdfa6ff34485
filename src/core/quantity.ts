/**
 * Kubernetes resource quantities (`500m`, `1`, `512Mi`, `1e3`): parsed exactly, compared by
 * value, and written in the API server's canonical form.
 *
 * The API server stores a quantity as a number and answers with its canonical string: `1000m`
 * comes back as `1`, `1024Mi` as `1Gi`, `0.5` as `500m`. Comparing the strings of dist/ with the
 * live object would report drift for equal values. This module follows apimachinery's
 * `pkg/api/resource` (kubernetes/kubernetes `staging/src/k8s.io/apimachinery/pkg/api/resource/
 * quantity.go`: `ParseQuantity`, `CanonicalizeBytes`; `amount.go`: `AsCanonicalBytes`,
 * `AsCanonicalBase1024Bytes`), and is tested against that package's own tables
 * (`quantity_test.go`: `TestQuantityParseEmit`, `TestQuantityString`).
 *
 * Why not a package: `@kubernetes/client-node` keeps its `quantityToScalar` internal (not exported
 * from the package index), it returns a float or a BigInt depending on the suffix (so `1k` and
 * `1000` are not `===`), and it throws on fractional binary values such as `0.5Gi`. The npm
 * alternatives are single-release packages. The grammar is small and the values are exact here
 * (BigInt mantissa and a power of ten), so nothing is rounded by floating point.
 */

/** How a quantity was written, which the canonical form keeps (apimachinery `Format`). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** An exact quantity: `unscaled × 10^scale`. */
export interface Quantity {
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIX).map(([s, e]) => [e, s]));

/** The quantity grammar of apimachinery (`<signedNumber><suffix>`; no spaces). */
const GRAMMAR = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Rounds `unscaled × 10^scale` up (away from zero) to at least `minScale`, as apimachinery does. */
function roundUpTo(q: Quantity, minScale: number): Quantity {
  if (q.scale >= minScale) return q;
  const divisor = pow10(minScale - q.scale);
  const negative = q.unscaled < 0n;
  const magnitude = negative ? -q.unscaled : q.unscaled;
  let result = magnitude / divisor;
  if (magnitude % divisor !== 0n) result += 1n;
  return { unscaled: negative ? -result : result, scale: minScale, format: q.format };
}

/**
 * Parses a quantity exactly, or returns undefined when the text is not one. Values below one nano
 * are rounded up to `1n`, and a binary value between 0 and 1 becomes DecimalSI, as
 * `ParseQuantity` does (`0.000000000001Ki` is `2n`).
 */
export function parseQuantity(text: string): Quantity | undefined {
  const m = GRAMMAR.exec(text);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = m;
  if (whole === '' && fraction === '') return undefined;
  if (/^[eE][+-]?\d/.test(suffix) && Math.abs(Number(suffix.slice(1))) > 2 ** 31 - 1) return undefined;
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '') || '0';
  let unscaled = BigInt(digits) * (sign === '-' ? -1n : 1n);
  let scale = -fraction.length;
  let format: QuantityFormat = 'DecimalSI';
  const binary = BINARY_SUFFIX[suffix];
  const decimal = DECIMAL_SUFFIX[suffix];
  if (binary !== undefined) {
    format = 'BinarySI';
    unscaled *= 1024n ** BigInt(binary);
  } else if (/^[eE][+-]?\d/.test(suffix)) {
    format = 'DecimalExponent';
    scale += Number(suffix.slice(1));
  } else if (decimal !== undefined) {
    scale += decimal;
  } else {
    return undefined; // the grammar admits no other suffix
  }
  const q = roundUpTo({ unscaled, scale, format }, -9);
  // A binary value between 0 and 1 is kept as DecimalSI ("avoids rounding and hopefully confusion").
  if (q.format === 'BinarySI' && q.unscaled !== 0n && absBelow(q, 1)) return { ...q, format: 'DecimalSI' };
  return q;
}

function absBelow(q: Quantity, limit: number): boolean {
  const magnitude = q.unscaled < 0n ? -q.unscaled : q.unscaled;
  return q.scale >= 0 ? magnitude * pow10(q.scale) < BigInt(limit) : magnitude < BigInt(limit) * pow10(-q.scale);
}

/** `unscaled × 10^scale` as an integer, when it is one. */
function wholeValue(q: Quantity): bigint | undefined {
  if (q.scale >= 0) return q.unscaled * pow10(q.scale);
  const d = pow10(-q.scale);
  return q.unscaled % d === 0n ? q.unscaled / d : undefined;
}

/** Mantissa and a power-of-ten exponent that is a multiple of 3 (`AsCanonicalBytes`). */
function canonicalDecimal(q: Quantity): { mantissa: bigint; exponent: number } {
  let mantissa = q.unscaled;
  let exponent = q.scale;
  while (mantissa !== 0n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  // Go's % keeps the dividend's sign, like JavaScript's.
  switch (exponent % 3) {
    case 1:
    case -2:
      return { mantissa: mantissa * 10n, exponent: exponent - 1 };
    case 2:
    case -1:
      return { mantissa: mantissa * 100n, exponent: exponent - 2 };
    default:
      return { mantissa, exponent };
  }
}

/** The canonical text of a quantity, as the API server writes it (`Quantity.String()`). */
export function formatQuantity(q: Quantity): string {
  if (q.unscaled === 0n) return '0';
  // BinarySI only for a whole value of 1024 or more; otherwise DecimalSI.
  const whole = q.format === 'BinarySI' && !absBelow(q, 1024) ? wholeValue(q) : undefined;
  if (whole !== undefined) {
    let amount = whole;
    let exponent = 0;
    while (amount % 1024n === 0n && exponent < 6) {
      amount /= 1024n;
      exponent += 1;
    }
    return `${amount}${BINARY_BY_EXPONENT.get(exponent) ?? ''}`;
  }
  const { mantissa, exponent } = canonicalDecimal(q);
  if (q.format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = DECIMAL_BY_EXPONENT.get(exponent);
  // DecimalSI has no suffix past E (10^18) or below n: apimachinery falls back to exponent notation.
  return suffix !== undefined ? `${mantissa}${suffix}` : `${mantissa}e${exponent}`;
}

/** The canonical form of a quantity text, or undefined when it is not a quantity. */
export function canonicalQuantity(text: string): string | undefined {
  const q = parseQuantity(text);
  return q ? formatQuantity(q) : undefined;
}

/**
 * A container resource quantity as the API server stores it: rounded up to milli units first
 * (`SetDefaults_ResourceList` in kubernetes `pkg/apis/core/v1/defaults.go`), then canonical.
 */
export function canonicalResourceQuantity(text: string): string | undefined {
  const q = parseQuantity(text);
  return q ? formatQuantity(roundUpTo(q, -3)) : undefined;
}

/**
 * The quantity in milli units, rounded up away from zero as the API server rounds a container
 * resource (`1.0004` is 1001, `250m` is 250, `1k` is 1000000).
 */
export function milliUnits(q: Quantity): bigint {
  return q.scale >= -3 ? q.unscaled * pow10(q.scale + 3) : roundUpTo(q, -3).unscaled;
}

/** How many whole `unit`s the quantity is (`1Gi` in 1Mi units: 1024), or undefined when not a whole number. */
export function wholeUnits(q: Quantity, unit: bigint): bigint | undefined {
  const whole = wholeValue(q);
  return whole !== undefined && whole % unit === 0n ? whole / unit : undefined;
}

/** Exact comparison: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const scale = Math.min(a.scale, b.scale);
  const x = a.unscaled * pow10(a.scale - scale);
  const y = b.unscaled * pow10(b.scale - scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Do two values denote the same quantity? Numbers are accepted too (YAML `cpu: 1`). False when
 * either is not a quantity, so a garbled value is never equal to a good one.
 */
export function sameQuantity(a: unknown, b: unknown): boolean {
  const pa = typeof a === 'number' ? parseQuantity(String(a)) : typeof a === 'string' ? parseQuantity(a) : undefined;
  const pb = typeof b === 'number' ? parseQuantity(String(b)) : typeof b === 'string' ? parseQuantity(b) : undefined;
  return pa !== undefined && pb !== undefined && compareQuantities(pa, pb) === 0;
}
