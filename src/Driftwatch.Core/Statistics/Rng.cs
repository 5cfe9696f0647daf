namespace Driftwatch.Core.Statistics;

/// <summary>
/// A small, fast, seedable generator whose stream is the same on every machine and .NET version
/// (unlike System.Random): xoshiro256** (Blackman &amp; Vigna 2018), seeded through SplitMix64.
/// Not thread-safe: give each thread its own, e.g. <see cref="Derive"/>.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    public Rng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>A generator for one part of a larger seeded computation (replicate r of scenario s...).</summary>
    public static Rng Derive(ulong seed, params long[] path)
    {
        var state = seed;
        foreach (var part in path)
        {
            state ^= (ulong)part + 0x9E3779B97F4A7C15UL + (state << 6) + (state >> 2);
            state = SplitMix(ref state);
        }
        return new Rng(state);
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool NextBernoulli(double p) => NextDouble() < p;

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)((NextUInt64() >> 33) * (ulong)n >> 31);

    /// <summary>Standard normal (Marsaglia's polar method).</summary>
    public double NextNormal()
    {
        if (_spareNormal is { } spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        var factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * factor;
        return u * factor;
    }

    /// <summary>Gamma(shape, 1) by Marsaglia &amp; Tsang (2000).</summary>
    public double NextGamma(double shape)
    {
        if (shape < 1)
            return NextGamma(shape + 1) * Math.Pow(NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextNormal();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
                return d * v;
        }
    }

    public double NextBeta(double a, double b)
    {
        var x = NextGamma(a);
        var y = NextGamma(b);
        return x / (x + y);
    }

    /// <summary>Binomial(n, p) by summing Bernoulli draws (n is small here: trials of one task on one day).</summary>
    public int NextBinomial(int n, double p)
    {
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (NextDouble() < p)
                count++;
        }
        return count;
    }

    /// <summary>
    /// Poisson(λ) by Knuth's product of uniforms, in pieces of λ at most 20 (a sum of independent
    /// Poissons is Poisson, and e^−20 stays far from underflow); λ here is a count per trial.
    /// </summary>
    public int NextPoisson(double lambda)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lambda);
        var count = 0;
        while (lambda > 0)
        {
            var piece = Math.Min(lambda, 20);
            lambda -= piece;
            var limit = Math.Exp(-piece);
            var product = NextDouble();
            while (product > limit)
            {
                count++;
                product *= NextDouble();
            }
        }
        return count;
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
