using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>Compiles a TLSRoute, TCPRoute or UDPRoute into an L4 route with weighted backends.</summary>
internal static class L4Compiler
{
    public static L4RouteIr Compile(BackendResolver backends, L4Route route, Gateway gateway, List<BackendProblem> problems)
    {
        var protocol = route is UdpRoute ? BackendProtocol.Datagram : BackendProtocol.Stream;
        var weighted = new List<WeightedBackendIr>();
        for (var r = 0; r < route.Spec.Rules.Count; r++)
            for (var b = 0; b < route.Spec.Rules[r].BackendRefs.Count; b++)
            {
                var br = route.Spec.Rules[r].BackendRefs[b];
                var (id, problem) = backends.Resolve(route, FieldText.Rule(r, b), br, protocol, gateway);
                if (problem is not null) problems.Add(problem);
                weighted.Add(new WeightedBackendIr { BackendId = id, Weight = br.Weight ?? 1 });
            }
        backends.ApplyFallback(weighted);
        return new L4RouteIr { Name = $"{route.Kind.ToLowerInvariant()}/{route.Namespace}/{route.Name}", Backends = new(weighted) };
    }
}
