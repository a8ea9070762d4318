/** Seeded pseudo-random numbers (mulberry32): the same seed gives the same traffic, capture and impairments. */
export class SeededRandom {
    #s: number;

    constructor(seed: number) {
        this.#s = seed >>> 0;
    }

    /** Uniform in [0, 1). */
    next(): number {
        this.#s = (this.#s + 0x6d2b79f5) >>> 0;
        let t = this.#s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** Integer in [0, n). */
    int(n: number): number {
        return Math.floor(this.next() * n);
    }

    /** Unsigned 32-bit integer. */
    u32(): number {
        return Math.floor(this.next() * 4294967296) >>> 0;
    }

    /** True with probability p. */
    chance(p: number): boolean {
        return p > 0 && this.next() < p;
    }

    /** Exponentially distributed with the given mean. */
    exp(mean: number): number {
        return -Math.log(1 - this.next()) * mean;
    }

    /** Uniform in [min, max). */
    between(min: number, max: number): number {
        return min + this.next() * (max - min);
    }

    /** One element of a non-empty list. */
    pick<T>(list: readonly T[]): T {
        return list[this.int(list.length)] as T;
    }
}
