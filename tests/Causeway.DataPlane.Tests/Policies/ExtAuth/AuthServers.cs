using System.Collections.Concurrent;
using System.Net;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Tests.Policies.ExtAuth;

/// <summary>What an HTTP authorization service was asked.</summary>
public sealed record SeenCheck(string Method, string PathAndQuery, Dictionary<string, string> Headers, string Body);

/// <summary>
/// A real HTTP authorization service (a Kestrel app on its own loopback address, port 0). It decides by the client's
/// Authorization header: <c>Bearer allow</c> (200, names the user in x-current-user), <c>Bearer deny</c> (401 with a
/// challenge, a reason header and a body), <c>Bearer slow</c> (answers after 3 s), <c>Bearer broken</c> (500),
/// anything else 403.
/// </summary>
public sealed class HttpAuthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpAuthServer(WebApplication app) => _app = app;

    public ConcurrentQueue<SeenCheck> Seen { get; } = new();
    public IPAddress Address { get; private set; } = IPAddress.Loopback;
    public int Port { get; private set; }

    public static async Task<HttpAuthServer> StartAsync(IPAddress address, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, 0, lo =>
        {
            lo.Protocols = HttpProtocols.Http1;
            if (certificate is not null) lo.UseHttps(certificate);
        }));
        var app = builder.Build();
        var server = new HttpAuthServer(app) { Address = address };
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Port = new Uri(app.Urls.First()).Port;
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        Seen.Enqueue(new SeenCheck(request.Method, request.Path.Value + request.QueryString.Value, headers, body));
        var response = context.Response;
        switch (request.Headers.Authorization.ToString())
        {
            case "Bearer allow":
                response.Headers["x-current-user"] = "alice";
                response.Headers["x-not-forwarded"] = "nope";
                response.Headers["x-envoy-auth-headers-to-remove"] = "x-remove-me";
                return;
            case "Bearer deny":
                response.StatusCode = 401;
                response.Headers.WWWAuthenticate = "Bearer realm=\"auth\"";
                response.Headers["x-deny-reason"] = "bad token";
                response.ContentType = "text/plain";
                await response.WriteAsync("go away", context.RequestAborted);
                return;
            case "Bearer slow":
                await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted);
                return;
            case "Bearer broken":
                response.StatusCode = 500;
                return;
            default:
                response.StatusCode = 403;
                return;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>
/// A real gRPC authorization service (Envoy's <c>Authorization/Check</c>, built from the vendored protos, served by
/// Grpc.AspNetCore over h2c on its own loopback address, port 0), deciding like <see cref="HttpAuthServer"/>.
/// </summary>
public sealed class GrpcAuthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcAuthServer(WebApplication app, Service service)
    {
        _app = app;
        Checks = service.Checks;
    }

    public ConcurrentQueue<CheckRequest> Checks { get; }
    public int Port { get; private set; }

    public static async Task<GrpcAuthServer> StartAsync(IPAddress address, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, 0, lo =>
        {
            lo.Protocols = HttpProtocols.Http2;
            if (certificate is not null) lo.UseHttps(certificate);
        }));
        var service = new Service();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        var server = new GrpcAuthServer(app, service) { Port = new Uri(app.Urls.First()).Port };
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public sealed class Service : Envoy.Service.Auth.V3.Authorization.AuthorizationBase
    {
        public ConcurrentQueue<CheckRequest> Checks { get; } = new();

        public override async Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
        {
            Checks.Enqueue(request);
            var headers = request.Attributes.Request.Http.Headers;
            headers.TryGetValue("authorization", out var authorization);
            switch (authorization)
            {
                case "Bearer allow":
                    var ok = new OkHttpResponse();
                    ok.Headers.Add(new HeaderValueOption { Header = new HeaderValue { Key = "x-current-user", Value = "alice" } });
#pragma warning disable CS0612 // the deprecated field services still send
                    ok.Headers.Add(new HeaderValueOption { Header = new HeaderValue { Key = "x-tag", Value = "from-auth" }, Append = true });
#pragma warning restore CS0612
                    ok.Headers.Add(new HeaderValueOption
                    {
                        Header = new HeaderValue { Key = "x-if-absent", Value = "auth" },
                        AppendAction = HeaderValueOption.Types.HeaderAppendAction.AddIfAbsent,
                    });
                    ok.HeadersToRemove.Add("x-remove-me");
                    return new CheckResponse { Status = new Google.Rpc.Status { Code = 0 }, OkResponse = ok };
                case "Bearer deny":
                    var denied = new DeniedHttpResponse
                    {
                        Status = new Envoy.Type.V3.HttpStatus { Code = Envoy.Type.V3.StatusCode.Unauthorized },
                        Body = "denied by grpc",
                    };
                    denied.Headers.Add(new HeaderValueOption { Header = new HeaderValue { Key = "x-deny-reason", Value = "bad token" } });
                    denied.Headers.Add(new HeaderValueOption { Header = new HeaderValue { Key = "content-type", Value = "text/plain" } });
                    return new CheckResponse { Status = new Google.Rpc.Status { Code = 7 }, DeniedResponse = denied };
                case "Bearer slow":
                    await Task.Delay(TimeSpan.FromSeconds(3), context.CancellationToken);
                    return new CheckResponse { Status = new Google.Rpc.Status { Code = 0 } };
                default:
                    return new CheckResponse { Status = new Google.Rpc.Status { Code = 7 } };
            }
        }
    }
}
