using System.Net;
using Driftwatch.Core;

namespace Driftwatch.Web.Serving;

/// <summary>What `serve --urls` binds, and whether that is only this machine.</summary>
public static class Bindings
{
    public const string DefaultUrl = "http://127.0.0.1:5170";

    public static IReadOnlyList<string> Parse(string? urls)
    {
        var list = (urls ?? DefaultUrl).Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 0)
            throw new InvalidInputException("--urls: no address given");
        foreach (var url in list)
        {
            // Kestrel's wildcards (http://*:5170, http://+:5170) are not valid URIs; they bind every interface.
            var probe = url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal);
            if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new InvalidInputException($"--urls: '{url}' is not an http:// or https:// address (e.g. {DefaultUrl})");
        }
        return list;
    }

    /// <summary>True when the address only accepts connections from this machine (127.0.0.0/8, ::1, localhost).</summary>
    public static bool IsLoopback(string url)
    {
        if (url.Contains("://*", StringComparison.Ordinal) || url.Contains("://+", StringComparison.Ordinal))
            return false;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return false;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
