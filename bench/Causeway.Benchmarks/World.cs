using Causeway.Model.Objects;
using Causeway.Translation;

namespace Causeway.Benchmarks;

/// <summary>Builds a deterministic large world of Gateway API objects in code.</summary>
public static class World
{
    public static List<KubeObject> Build(int routes, int gateways, int hostnames, int services)
    {
        var objects = new List<KubeObject>
        {
            new GatewayClass { ApiVersion = "gateway.networking.k8s.io/v1", Kind = "GatewayClass", Metadata = Meta("causeway", null), Spec = new() { ControllerName = TranslatorOptions.DefaultControllerName } },
        };
        for (var g = 0; g < gateways; g++)
            objects.Add(new Gateway
            {
                ApiVersion = "gateway.networking.k8s.io/v1",
                Kind = "Gateway",
                Metadata = Meta($"gw-{g}", "infra"),
                Spec = new GatewaySpec
                {
                    GatewayClassName = "causeway",
                    Listeners =
                    [
                        new Listener { Name = "http", Port = 80, Protocol = "HTTP", AllowedRoutes = new AllowedRoutes { Namespaces = new RouteNamespaces { From = "All" } } },
                        new Listener { Name = "http-alt", Port = 8080, Protocol = "HTTP", Hostname = "*.example.com", AllowedRoutes = new AllowedRoutes { Namespaces = new RouteNamespaces { From = "All" } } },
                    ],
                },
            });
        for (var s = 0; s < services; s++)
        {
            var ns = $"app-{s % 20}";
            objects.Add(new Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = Meta($"svc-{s}", ns),
                Spec = new ServiceSpec { Ports = [new ServicePort { Name = "http", Port = 80, TargetPort = new IntOrString(8080, null) }] },
            });
            objects.Add(new EndpointSlice
            {
                ApiVersion = "discovery.k8s.io/v1",
                Kind = "EndpointSlice",
                Metadata = Meta($"svc-{s}-1", ns) with { Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = $"svc-{s}" } },
                Ports = [new EndpointPort { Name = "http", Port = 8080 }],
                Endpoints = [.. Enumerable.Range(0, 3).Select(i => new Endpoint { Addresses = [$"10.{s / 250}.{s % 250}.{i + 1}"], Conditions = new EndpointConditions { Ready = true } })],
            });
        }
        for (var r = 0; r < routes; r++)
        {
            var ns = $"app-{r % 20}";
            // Services of the route's namespace: s % 20 == r % 20.
            var svc = (r % 20) + 20 * (r / 20 % (services / 20));
            objects.Add(new HttpRoute
            {
                ApiVersion = "gateway.networking.k8s.io/v1",
                Kind = "HTTPRoute",
                Metadata = Meta($"route-{r}", ns) with { CreationTimestamp = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(r % 977) },
                Spec = new HttpRouteSpec
                {
                    ParentRefs = [new ParentReference { Name = $"gw-{r % gateways}", Namespace = "infra" }],
                    Hostnames = [$"host-{r % hostnames}.example.com"],
                    Rules =
                    [
                        new HttpRouteRule
                        {
                            Matches = [new HttpRouteMatch { Path = new HttpPathMatch { Type = "PathPrefix", Value = $"/api/v{r % 7}" } }],
                            Filters = [new HttpRouteFilter { Type = "RequestHeaderModifier", RequestHeaderModifier = new HttpHeaderFilter { Set = [new HttpHeader { Name = "X-Route", Value = $"route-{r}" }] } }],
                            BackendRefs = [new HttpBackendRef { Name = $"svc-{svc}", Port = 80, Weight = 3 }, new HttpBackendRef { Name = $"svc-{(svc + 20) % services}", Port = 80, Weight = 1 }],
                        },
                        new HttpRouteRule
                        {
                            Matches = [new HttpRouteMatch { Path = new HttpPathMatch { Type = "Exact", Value = $"/r{r}" }, Headers = [new HttpHeaderMatch { Name = "x-canary", Value = "1" }] }],
                            BackendRefs = [new HttpBackendRef { Name = $"svc-{svc}", Port = 80 }],
                        },
                    ],
                },
            });
        }
        return objects;
    }

    private static ObjectMeta Meta(string name, string? ns) => new() { Name = name, Namespace = ns, Generation = 1 };
}
