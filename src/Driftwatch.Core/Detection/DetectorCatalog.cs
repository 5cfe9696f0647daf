namespace Driftwatch.Core.Detection;

/// <summary>Every detector, by name: what `--detector`, `check`, `simulate` and the JSON resolve names with.</summary>
public static class DetectorCatalog
{
    public static IDetector Cusum { get; } = new CusumDetector();
    public static IDetector Ewma { get; } = new EwmaDetector();
    public static IDetector TrackerWindows { get; } = new TrackerWindowsDetector();

    /// <summary>The detectors in the order they are listed and benchmarked.</summary>
    public static IReadOnlyList<IDetector> All { get; } = [Cusum, Ewma, TrackerWindows, new ConsecutiveLowDaysDetector(days: 3)];

    /// <summary>The detector with this name or alias (any case).</summary>
    public static IDetector Find(string name) =>
        All.FirstOrDefault(d => Matches(d, name))
        ?? throw new InvalidInputException($"--detector: unknown detector '{name}' (expected {Expected()})");

    private static bool Matches(IDetector detector, string name) =>
        string.Equals(detector.Name, name, StringComparison.OrdinalIgnoreCase)
        || detector.Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));

    private static string Expected() =>
        All.Count == 1 ? All[0].Name : $"{string.Join(", ", All.Take(All.Count - 1).Select(d => d.Name))} or {All[^1].Name}";
}
