using System.Net;
using System.Text.Json.Nodes;
using Causeway.DataPlane.Tests.Policies.ExtAuth;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/ext-auth through <c>causeway run</c>: the echo server stands in for the HTTP authorization
/// service; a check that allows hands the service's x-current-user header to the backend, one that denies answers
/// the client with the service's status, and a route without the policy is not checked.
/// </summary>
public sealed class ExtAuthExampleTests
{
    [Fact]
    public async Task ExtAuthExampleChecksEveryRequestAsWritten()
    {
        var (echo, log) = await E2e.StartHttpEchoAsync("127.61.81.1", "echo-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/ext-auth", 81, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "backend-local", "127.61.81.1");
            E2e.RetargetSlice(d, "backends.yaml", "http-ext-auth-local", "127.61.81.1");
        });
        using var client = E2e.Client(run.GatewayAddress);

        async Task<(HttpStatusCode Status, string Body)> Get(string path, params (string, string)[] headers)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, "http://www.example.com:8080" + path);
            foreach (var (n, v) in headers) req.Headers.TryAddWithoutValidation(n, v);
            using var r = await client.SendAsync(req);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        var allowed = await Get("/myapp/x", ("X-Echo-Set-Header", "x-current-user:alice"));
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        var echoed = JsonNode.Parse(allowed.Body)!;
        Assert.Equal("/myapp/x", echoed["path"]!.GetValue<string>());
        Assert.Equal(["alice"], E2e.EchoHeader(echoed, "X-Current-User")); // set by the check's answer
        Assert.Contains(log, line => line.Contains("/auth/myapp/x", StringComparison.Ordinal)); // the check, at path + the request's path

        var locked = await Get("/locked");
        Assert.Equal(HttpStatusCode.Unauthorized, locked.Status);
        var checks = log.Count;
        Assert.Equal(HttpStatusCode.OK, (await Get("/open")).Status);
        Assert.Equal(checks + 1, log.Count); // the backend only: no check

        var status = (await run.StatusAsync()).ToJsonString();
        Assert.Contains("ext-auth-example", status, StringComparison.Ordinal);
        Assert.DoesNotContain("not supported", status, StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }

    /// <summary>
    /// A gRPC authorization service (the tests' real Envoy Check server) reached through an Envoy Gateway Backend, with
    /// context extensions from a value and a Secret, as written in manifests and served by <c>causeway run</c>.
    /// </summary>
    [Fact]
    public async Task GrpcServiceThroughABackendGetsTheContextAndDecides()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync("127.61.82.1", "echo-pod");
        await using var _e = echo;
        await using var grpc = await GrpcAuthServer.StartAsync(IPAddress.Parse("127.61.82.2"));
        await using var run = await CausewayRun.StartAsync("eg-policies/ext-auth", 82, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "backend-local", "127.61.82.1");
            E2e.RetargetSlice(d, "backends.yaml", "http-ext-auth-local", "127.61.82.1");
            File.WriteAllText(Path.Combine(d, "grpc.yaml"), $$$"""
                apiVersion: gateway.envoyproxy.io/v1alpha1
                kind: Backend
                metadata:
                  name: grpc-ext-auth
                  namespace: ext-auth
                spec:
                  endpoints:
                  - ip:
                      address: 127.61.82.2
                      port: {{{grpc.Port}}}
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: auth-context
                  namespace: ext-auth
                stringData:
                  token: ctx-s3cret
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: grpc-checked
                  namespace: ext-auth
                spec:
                  parentRefs: [{name: ext-auth-gw}]
                  hostnames: [www.example.com]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /grpc}}]
                    backendRefs: [{name: backend, port: 80}]
                ---
                apiVersion: gateway.envoyproxy.io/v1alpha1
                kind: SecurityPolicy
                metadata:
                  name: grpc-ext-auth
                  namespace: ext-auth
                spec:
                  targetRefs:
                  - group: gateway.networking.k8s.io
                    kind: HTTPRoute
                    name: grpc-checked
                  extAuth:
                    grpc:
                      backendRefs:
                      - group: gateway.envoyproxy.io
                        kind: Backend
                        name: grpc-ext-auth
                    contextExtensions:
                    - name: zone
                      value: eu-1
                    - name: token
                      type: ValueRef
                      valueRef: {group: "", kind: Secret, name: auth-context, key: token}
                """);
        });
        using var client = E2e.Client(run.GatewayAddress);
        async Task<HttpResponseMessage> Get(string token)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, "http://www.example.com:8080/grpc/x");
            req.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            return await client.SendAsync(req);
        }

        using (var ok = await Get("allow"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(["alice"], E2e.EchoHeader(JsonNode.Parse(await ok.Content.ReadAsStringAsync())!, "X-Current-User"));
        }
        Assert.True(grpc.Checks.TryDequeue(out var check));
        Assert.Equal("/grpc/x", check.Attributes.Request.Http.Path);
        Assert.Equal("eu-1", check.Attributes.ContextExtensions["zone"]);
        Assert.Equal("ctx-s3cret", check.Attributes.ContextExtensions["token"]);
        using (var denied = await Get("deny"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("denied by grpc", await denied.Content.ReadAsStringAsync());
        }

        using var dump = await new HttpClient().GetAsync(new Uri(run.Admin, "/config_dump"));
        var config = await dump.Content.ReadAsStringAsync();
        Assert.Contains("grpc-ext-auth", config, StringComparison.Ordinal);
        Assert.DoesNotContain("ctx-s3cret", config, StringComparison.Ordinal); // the Secret's value: a fingerprint only
        Assert.DoesNotContain("ctx-s3cret", (await run.StatusAsync()).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }
}
