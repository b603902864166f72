using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Differential;

/// <summary>The differential gateway's routes: one path prefix per feature, all on host "*"; "/" itself is not routed.</summary>
public static class DiffRoutes
{
    private const string B = "ns/b:80";

    private static KeyValuePair<string, string>[] Kv(params (string Name, string Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToArray();

    private static HttpRuleIr Rule(string name, params HttpFilterIr[] filters) => new()
    {
        Name = name,
        Backends = new[] { new WeightedBackendIr { BackendId = B, Weight = 1 } },
        Filters = filters,
    };

    public static GatewayIr Build(int backendPort, int refusedPort) => Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/plain", Rule("plain")),
            Prefix("/edits", Rule("edits",
                new HttpFilterIr { RequestHeaders = new HeaderModifierIr { Set = Kv(("X-Set", "set")), Add = Kv(("x-add", "added")), Remove = new[] { "X-Remove" } } },
                new HttpFilterIr { ResponseHeaders = new HeaderModifierIr { Set = Kv(("X-Resp-Set", "rset")), Add = Kv(("x-resp-add", "radded")), Remove = new[] { "x-resp-remove" } } })),
            Prefix("/redirect", new HttpRuleIr { Name = "redirect", Redirect = new RedirectIr { Hostname = "elsewhere.example", StatusCode = 301 } }),
            Prefix("/direct", new HttpRuleIr { Name = "direct", DirectResponseStatus = 500 }),
            Prefix("/rewrite", Rule("rewrite", new HttpFilterIr
            {
                UrlRewrite = new UrlRewriteIr { Hostname = "rewritten.example", Path = new PathModifierIr(PathModifierKind.ReplacePrefixMatch, "/new") },
            })),
            Prefix("/cors", Rule("cors", new HttpFilterIr
            {
                Cors = new CorsIr
                {
                    AllowOrigins = new[] { "https://a.example" }, AllowMethods = new[] { "GET", "POST" }, AllowHeaders = new[] { "x-h" }, ExposeHeaders = new[] { "x-e" }, MaxAgeSeconds = 60,
                },
            })),
            Prefix("/refused", To("ns/refused:80", "refused")),
            Prefix("/noendpoints", To("ns/none:80", "noendpoints")),
            Prefix("/timeout", Rule("timeout") with { BackendRequestTimeout = TimeSpan.FromMilliseconds(300) }),
            Prefix("/retry", Rule("retry") with { Retry = new RetryIr { Codes = new[] { 503 }, Attempts = 2 } })))],
        Backend(B, backendPort), Backend("ns/refused:80", refusedPort), new BackendIr { Id = "ns/none:80" });
}
