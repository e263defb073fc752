/** Suggestions for names that are probably typos: spec keys, the org's objects and fields. Pure. */

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/**
 * The closest known name, if close enough to be a plausible typo (case is ignored: Salesforce API names
 * are case-insensitive). The first of equally close names wins, so callers list preferred names first.
 */
export function closestName(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = levenshtein(unknown.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(unknown.length / 3)) ? best : undefined;
}

/** ` (did you mean Account?)` or nothing. */
export function didYouMean(unknown: string, known: readonly string[]): string {
  const suggestion = closestName(unknown, known);
  return suggestion === undefined ? '' : `; did you mean ${suggestion}?`;
}
