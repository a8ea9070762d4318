/** Levenshtein distance, bounded: returns `max + 1` as soon as the distance must exceed `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        let rowMin = i;
        for (let j = 1; j <= b.length; j++) {
            const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
            const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
            cur.push(v);
            if (v < rowMin) rowMin = v;
        }
        if (rowMin > max) return max + 1;
        prev = cur;
    }
    return prev[b.length]!;
}

/** The candidate closest to `word` (case-insensitive) within `max` edits, or undefined. Ties keep the first. */
export function closest(word: string, candidates: Iterable<string>, max = 2): string | undefined {
    const w = word.toLowerCase();
    let best: string | undefined;
    let bestDistance = max + 1;
    for (const c of candidates) {
        const d = editDistance(w, c.toLowerCase(), max);
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}
