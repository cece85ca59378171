/** Code of `*` in a compiled glob: any run of characters (possibly empty). */
export const GLOB_STAR = -1;
/** Code of `?` in a compiled glob: exactly one character. */
export const GLOB_ONE = -2;

/** A glob compiled for matching without allocation: a fast path for the common shapes, else char codes. */
export type StaticGlob =
  | { readonly kind: 'any' }
  | { readonly kind: 'exact'; readonly text: string }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'codes'; readonly codes: Int32Array };

/** Compiles glob char codes (with GLOB_STAR/GLOB_ONE) into the fastest matcher for its shape. */
export function compileGlobCodes(codes: readonly number[]): StaticGlob {
  let wildcards = 0;
  let lastStar = -1;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === GLOB_STAR || c === GLOB_ONE) {
      wildcards++;
      if (c === GLOB_STAR) lastStar = i;
    }
  }
  if (wildcards === 0) return { kind: 'exact', text: codesToString(codes, 0, codes.length) };
  if (codes.length === 1 && codes[0] === GLOB_STAR) return { kind: 'any' };
  if (wildcards === 1 && lastStar === codes.length - 1) {
    return { kind: 'prefix', text: codesToString(codes, 0, codes.length - 1) };
  }
  return { kind: 'codes', codes: Int32Array.from(codes) };
}

/** Compiles a plain glob string where every `*` and `?` is a wildcard. */
export function compileGlob(pattern: string): StaticGlob {
  return compileGlobCodes(globCodesOf(pattern));
}

/** Char codes of a glob string, with `*`/`?` turned into wildcard codes. */
export function globCodesOf(pattern: string): number[] {
  const codes: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    codes.push(c === 0x2a ? GLOB_STAR : c === 0x3f ? GLOB_ONE : c);
  }
  return codes;
}

/** True when `text[start, end)` matches the compiled glob. */
export function matchStaticGlob(glob: StaticGlob, text: string, start = 0, end = text.length): boolean {
  switch (glob.kind) {
    case 'any':
      return true;
    case 'exact':
      return end - start === glob.text.length && text.startsWith(glob.text, start);
    case 'prefix':
      return end - start >= glob.text.length && text.startsWith(glob.text, start);
    case 'codes':
      return matchGlobCodes(glob.codes, text, start, end);
  }
}

/**
 * Wildcard match of `text[start, end)` against char codes, linear-time backtracking to the last `*`
 * (the classic two-pointer algorithm; no regex, no allocation).
 */
export function matchGlobCodes(
  codes: ArrayLike<number>,
  text: string,
  start = 0,
  end = text.length,
  codesStart = 0,
  codesEnd = codes.length,
): boolean {
  let p = codesStart;
  let s = start;
  let starP = -1;
  let starS = 0;
  while (s < end) {
    if (p < codesEnd) {
      const c = codes[p];
      if (c === GLOB_STAR) {
        starP = p++;
        starS = s;
        continue;
      }
      if (c === GLOB_ONE || c === text.charCodeAt(s)) {
        p++;
        s++;
        continue;
      }
    }
    if (starP >= 0) {
      p = starP + 1;
      s = ++starS;
      continue;
    }
    return false;
  }
  while (p < codesEnd && codes[p] === GLOB_STAR) p++;
  return p === codesEnd;
}

/** Text of plain char codes (no wildcard codes) without spreading huge arrays onto the stack. */
export function codesToString(codes: readonly number[], start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i += 4096) {
    out += String.fromCharCode(...codes.slice(i, Math.min(end, i + 4096)));
  }
  return out;
}
