using System.Net;
using System.Net.Http.Headers;
using Driftwatch.Web.Serving;
using Microsoft.AspNetCore.Mvc.Testing;
using Shouldly;

namespace Driftwatch.Web.Tests.Api;

public sealed class TokenTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    public async Task Without_the_right_bearer_token_every_path_is_401(string? presented)
    {
        await using var factory = new DashboardFactory(seeded.Path, token: "s3cret-token");
        var client = factory.CreateClient();
        if (presented is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", presented);

        foreach (var path in new[] { "/", "/api/runs", "/metrics", $"/runs/{seeded.RunIds[0]}" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
            response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(BearerToken.Variable);
        }
    }

    [Fact]
    public async Task With_the_bearer_token_the_api_answers()
    {
        await using var factory = new DashboardFactory(seeded.Path, token: "s3cret-token");
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token");

        using var response = await client.GetAsync(new Uri("/api/runs", UriKind.Relative), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_browser_presents_the_token_once_in_the_address_and_then_holds_a_cookie()
    {
        await using var factory = new DashboardFactory(seeded.Path, token: "s3cret-token");
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        using var first = await client.GetAsync(new Uri("/?token=s3cret-token", UriKind.Relative), Ct);
        first.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        first.Headers.Location!.ToString().ShouldBe("/");
        first.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem().ShouldContain("httponly");

        using var next = await client.GetAsync(new Uri("/api/runs", UriKind.Relative), Ct);
        next.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
