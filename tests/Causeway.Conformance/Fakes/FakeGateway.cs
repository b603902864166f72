using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Conformance.Harness;
using Causeway.Conformance.Harness.Cluster;
using Causeway.Model.Objects;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Causeway.Conformance.Fakes;

/// <summary>
/// A test double for the harness self-test: accepts everything, and answers every HTTP request on each Gateway's
/// first listener with an echo-basic style JSON from pod "fake-backend-bcdfghjklm-npqrs" in the Gateway's namespace.
/// </summary>
public sealed class FakeGateway : IGatewayUnderTest
{
    public const string Pod = "fake-backend-bcdfghjklm-npqrs";

    private readonly Dictionary<ObjectKey, KubeObject> _objects = [];
    private readonly Dictionary<ObjectKey, (IPAddress Address, WebApplication App)> _servers = [];
    private readonly AddressAllocator _addresses = new($"127.{40 + Random.Shared.Next(10)}.{Random.Shared.Next(200)}.0/24");

    public async Task ApplyAsync(IReadOnlyList<KubeObject> objects, CancellationToken ct)
    {
        foreach (var o in objects)
        {
            _objects[o.Key] = o;
            if (o is Gateway gw && !_servers.ContainsKey(o.Key) && gw.Spec.Listeners.Count > 0)
            {
                var ip = _addresses.Next();
                var app = CreateServer(ip, gw.Spec.Listeners[0].Port, gw.Namespace);
                await app.StartAsync(ct);
                _servers[o.Key] = (ip, app);
            }
        }
    }

    private static WebApplication CreateServer(IPAddress ip, int port, string ns)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(ip, port));
        var app = builder.Build();
        app.Run(async ctx =>
        {
            var headers = new JsonObject();
            foreach (var h in ctx.Request.Headers)
                if (!string.Equals(h.Key, "Host", StringComparison.OrdinalIgnoreCase))
                    headers[h.Key] = new JsonArray([.. h.Value.Select(v => JsonValue.Create(v))]);
            var body = new JsonObject
            {
                ["path"] = ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? ctx.Request.Path.Value,
                ["host"] = ctx.Request.Host.Value,
                ["method"] = ctx.Request.Method,
                ["proto"] = ctx.Request.Protocol,
                ["headers"] = headers,
                ["namespace"] = ns,
                ["pod"] = Pod,
            };
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(body.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ctx.RequestAborted);
        });
        return app;
    }

    public async Task DeleteAsync(IReadOnlyList<ObjectKey> keys, CancellationToken ct)
    {
        foreach (var k in keys)
        {
            _objects.Remove(k);
            if (_servers.Remove(k, out var s)) await s.App.DisposeAsync();
        }
    }

    public JsonObject? GetStatus(ObjectKey key)
    {
        if (!_objects.TryGetValue(key, out var o)) return null;
        var gen = o.Metadata.Generation;
        JsonObject Cond(string type, string reason) => new() { ["type"] = type, ["status"] = "True", ["reason"] = reason, ["observedGeneration"] = gen };
        switch (o)
        {
            case Gateway gw:
                return new JsonObject
                {
                    ["addresses"] = _servers.TryGetValue(key, out var s) ? new JsonArray(new JsonObject { ["type"] = "IPAddress", ["value"] = s.Address.ToString() }) : new JsonArray(),
                    ["conditions"] = new JsonArray(Cond("Accepted", "Accepted"), Cond("Programmed", "Programmed")),
                    ["listeners"] = new JsonArray([.. gw.Spec.Listeners.Select(l => (JsonNode)new JsonObject
                    {
                        ["name"] = l.Name,
                        ["attachedRoutes"] = 1,
                        ["supportedKinds"] = new JsonArray(new JsonObject { ["group"] = "gateway.networking.k8s.io", ["kind"] = "HTTPRoute" }),
                        ["conditions"] = new JsonArray(Cond("Accepted", "Accepted"), Cond("Programmed", "Programmed"), Cond("ResolvedRefs", "ResolvedRefs")),
                    })]),
                };
            case HttpRoute r:
                return new JsonObject
                {
                    ["parents"] = new JsonArray([.. r.Spec.ParentRefs.Select(p => (JsonNode)new JsonObject
                    {
                        ["parentRef"] = new JsonObject { ["group"] = "gateway.networking.k8s.io", ["kind"] = "Gateway", ["namespace"] = p.Namespace ?? r.Namespace, ["name"] = p.Name },
                        ["controllerName"] = HarnessConstants.ControllerName,
                        ["conditions"] = new JsonArray(Cond("Accepted", "Accepted"), Cond("ResolvedRefs", "ResolvedRefs")),
                    })]),
                };
            default:
                return new JsonObject { ["conditions"] = new JsonArray(Cond("Accepted", "Accepted")) };
        }
    }

    public IReadOnlyList<string> GatewayAddresses(string ns, string name) =>
        _servers.TryGetValue(new ObjectKey("Gateway", ns, name), out var s) ? [s.Address.ToString()] : [];

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _servers.Values) await s.App.DisposeAsync();
        _servers.Clear();
    }
}
