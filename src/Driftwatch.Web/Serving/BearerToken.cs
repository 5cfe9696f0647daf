using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Driftwatch.Web.Serving;

/// <summary>
/// Requires `Authorization: Bearer TOKEN` on every request. A browser can present the token once
/// as `?token=TOKEN`: the answer sets it as an HttpOnly, same-site cookie and drops it from the address.
/// </summary>
public sealed class BearerToken(string token)
{
    public const string Variable = "DRIFTWATCH_TOKEN";
    private const string Cookie = "driftwatch_token";

    private readonly byte[] _expected = Encoding.UTF8.GetBytes(token);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (Matches(Presented(context.Request.Headers.Authorization.ToString())) || Matches(context.Request.Cookies[Cookie]))
        {
            await next(context);
            return;
        }
        if (context.Request.Query.TryGetValue("token", out var query) && Matches(query.ToString()))
        {
            context.Response.Cookies.Append(Cookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/" });
            context.Response.Redirect(context.Request.PathBase + context.Request.Path);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"driftwatch\"";
        await context.Response.WriteAsync($"401: a bearer token is required (the value of {Variable} on the server)\n");
    }

    private static string? Presented(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;

    private bool Matches(string? presented) =>
        presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected);
}
