using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>retry.retryOn.triggers</c> as a client sees them: a backend that closes the connection
/// without answering is retried under <c>reset</c> and not under <c>connect-failure</c> alone (event loop and Kestrel
/// path); a gRPC backend's trailers-only <c>UNAVAILABLE</c> is retried under <c>unavailable</c>.
/// </summary>
public sealed class RetryTriggerTests
{
    /// <summary>A backend that reads a request head and closes the connection without a byte of answer; counts requests.</summary>
    private sealed class Hangup : IAsyncDisposable
    {
        private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _stop = new();
        private int _requests;

        public Hangup()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(64);
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;
        public int Requests => Volatile.Read(ref _requests);

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var s = await _listener.AcceptAsync(_stop.Token);
                    _ = Task.Run(async () =>
                    {
                        using (s)
                        {
                            var buffer = new byte[8192];
                            var seen = "";
                            while (!seen.Contains("\r\n\r\n", StringComparison.Ordinal))
                            {
                                var n = await s.ReceiveAsync(buffer, SocketFlags.None);
                                if (n == 0) return;
                                seen += Encoding.ASCII.GetString(buffer, 0, n);
                            }
                            Interlocked.Increment(ref _requests);
                        }
                    });
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static RetryIr Retry(RetryFailures failures, params int[] grpc) =>
        new() { Attempts = 2, Codes = new[] { 503 }, OnFailures = failures, GrpcCodes = new(grpc) };

    [Theory]
    [InlineData(false, RetryFailures.Connect, 1)] // connect-failure alone: a hang-up is answered 503 at once
    [InlineData(false, RetryFailures.All, 3)] // reset: tried again twice
    [InlineData(true, RetryFailures.Connect, 1)]
    [InlineData(true, RetryFailures.All, 3)]
    public async Task A_backend_hanging_up_is_retried_under_reset_only(bool h2, RetryFailures failures, int tries)
    {
        await using var backend = new Hangup();
        var gateway = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/b:80") with { Retry = Retry(failures) })))], Backend("ns/b:80", backend.Port));
        await using var g = await TestGateway.StartAsync(gateway);
        // A POST with a body: .NET's HTTP client (the Kestrel path's backend client) itself resends a bodiless request
        // up to 3 times when a fresh connection closes before any answer, which would hide what the policy decides.
        var request = g.Request("h", "/", HttpMethod.Post);
        request.Content = new StringContent("order=1");
        request.Version = h2 ? HttpVersion.Version20 : HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var response = await g.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(tries, backend.Requests);
    }

    [Theory]
    [InlineData(14, true)] // unavailable, listed: retried until the backend answers OK
    [InlineData(13, false)] // internal, not listed: the client gets it
    public async Task A_grpc_status_listed_among_the_triggers_is_retried(int failWith, bool retried)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        await using var app = builder.Build();
        var calls = 0;
        app.MapPost("/{**path}", (HttpContext context) =>
        {
            // Trailers-only answers: the status is in the headers. The first call fails, the next ones succeed.
            var n = Interlocked.Increment(ref calls);
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = n == 1 ? failWith.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0";
            context.Response.Headers["x-call"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        var gateway = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/g:80") with { Retry = Retry(RetryFailures.Connect, 1, 14) })))],
            Backend("ns/g:80", port) with { Protocol = BackendProtocol.H2c });
        await using var g = await TestGateway.StartAsync(gateway);
        var request = g.Request("h", "/echo.Echo/Call", HttpMethod.Post);
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        request.Content = new ByteArrayContent([0, 0, 0, 0, 0]);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await g.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(retried ? "0" : failWith.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("grpc-status").Single());
        Assert.Equal(retried ? 2 : 1, Volatile.Read(ref calls));
    }
}
