using System.Net;
using Causeway.Providers.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Causeway.Providers.Tests.Admin;

public sealed class HealthEndpointsTests
{
    [Theory]
    [InlineData(null, "not ready\n")]
    [InlineData("no configuration is serving yet", "not ready: no configuration is serving yet\n")]
    public async Task Healthz_and_readyz_follow_the_ready_predicate(string? detail, string notReadyBody)
    {
        var ready = false;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.UseRouting();
        app.MapHealthEndpoints(() => Volatile.Read(ref ready), detail);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await app.StartAsync(timeout.Token);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };

            await Expect(client, "/healthz", HttpStatusCode.OK, "ok\n");
            await Expect(client, "/readyz", HttpStatusCode.ServiceUnavailable, notReadyBody);
            Volatile.Write(ref ready, true);
            await Expect(client, "/readyz", HttpStatusCode.OK, "ready\n");
            await Expect(client, "/healthz", HttpStatusCode.OK, "ok\n");
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/readyz"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            using var post = await client.PostAsync(new Uri("/healthz", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private static async Task Expect(HttpClient client, string path, HttpStatusCode status, string body)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }
}
