using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Requests;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Harness.Runner;

/// <summary>Where to send a case: the Gateway's first address and the port of the named (or first) listener.</summary>
public static class TargetResolver
{
    public static (Target? Target, string? Error) Resolve(ConformanceSession session, GatewayRef? gw, RequestSpec request)
    {
        if (gw is null) return (null, "the case names no gateway");
        var key = new ObjectKey("Gateway", gw.Namespace, gw.Name);
        var doc = session.Store.Get(key);
        if (doc is null) return (null, $"{key} does not exist");
        var address = session.Gateway.GatewayAddresses(gw.Namespace, gw.Name).FirstOrDefault()
            ?? session.Status(key).Arr("addresses")?.FirstOrDefault().Str("value");
        if (string.IsNullOrEmpty(address)) return (null, $"{key} has no address yet");
        if (request.Port is { } explicitPort) return (new Target(address, explicitPort), null);
        var listeners = (doc.Obj("spec").Arr("listeners") ?? []).ToList();
        if (gw.Listener is { } name)
        {
            var l = listeners.FirstOrDefault(x => x.Str("name") == name)
                ?? session.Store.OfKind("ListenerSet")
                    .Where(ls => ls.Obj("spec").Obj("parentRef").Str("name") == gw.Name)
                    .SelectMany(ls => ls.Obj("spec").Arr("listeners") ?? [])
                    .FirstOrDefault(x => x.Str("name") == name);
            // A listener name the manifests do not declare (ListenerSetHTTPRouting names "gateway-listener"): upstream
            // dials the Gateway's address with the default port, which is that of its first listener.
            if (l?.Long("port") is { } port) return (new Target(address, (int)port), null);
        }
        if (listeners.FirstOrDefault()?.Long("port") is not { } first) return (null, $"{key} has no listeners");
        return (new Target(address, (int)first), null);
    }
}
