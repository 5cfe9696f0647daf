namespace Driftwatch.Web.Tests.Browser;

/// <summary>
/// The machine's Chromium, found on PATH (Debian's package `chromium`; CI installs it). Playwright
/// drives it; it never downloads a browser of its own.
/// </summary>
public static class Chromium
{
    public static string Find()
    {
        var names = new[] { "chromium", "chromium-browser", "google-chrome" };
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var name in names)
        {
            foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        throw new InvalidOperationException("no Chromium on PATH (looked for chromium, chromium-browser, google-chrome); install it: apt-get install chromium");
    }
}
