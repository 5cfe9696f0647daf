using MathNet.Numerics.LinearAlgebra;

namespace Driftwatch.Core.Statistics;

/// <summary>
/// Gauss–Hermite quadrature for expectations over a standard normal: E[f(Z)] ≈ Σ wᵢ f(xᵢ), exact for
/// polynomials of degree &lt; 2n. Nodes and weights by Golub &amp; Welsch (1969): the eigenvalues of the
/// Jacobi matrix of the (probabilists') Hermite polynomials, weights the squared first components
/// of its eigenvectors.
/// </summary>
internal static class GaussHermite
{
    private static readonly Dictionary<int, (double[] Nodes, double[] Weights)> Rules = [];

    public static (double[] Nodes, double[] Weights) Rule(int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        lock (Rules)
        {
            if (Rules.TryGetValue(points, out var rule))
                return rule;
            var jacobi = Matrix<double>.Build.Dense(points, points);
            for (var k = 1; k < points; k++)
            {
                jacobi[k - 1, k] = Math.Sqrt(k);
                jacobi[k, k - 1] = Math.Sqrt(k);
            }
            var evd = jacobi.Evd(Symmetricity.Symmetric);
            var nodes = evd.EigenValues.Select(v => v.Real).ToArray();
            var weights = Enumerable.Range(0, points).Select(i => Math.Pow(evd.EigenVectors[0, i], 2)).ToArray();
            var sum = weights.Sum();
            return Rules[points] = (nodes, weights.Select(w => w / sum).ToArray());
        }
    }
}
