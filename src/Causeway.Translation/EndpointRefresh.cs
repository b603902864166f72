using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Routes;

namespace Causeway.Translation;

public static partial class Translator
{
    /// <summary>
    /// The fast path for EndpointSlice-only changes: the previous result with every backend's ready endpoints
    /// recomputed from <paramref name="snapshot"/>, routes and statuses untouched (no status depends on endpoints).
    /// Only valid when nothing but EndpointSlices changed since <paramref name="previous"/> was translated.
    /// </summary>
    public static TranslationResult RefreshEndpoints(TranslationResult previous, ResourceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(snapshot);
        var gateways = new List<GatewayIr>(previous.Gateways.Count);
        foreach (var gw in previous.Gateways)
        {
            var backends = new List<BackendIr>(gw.Backends.Count);
            foreach (var b in gw.Backends)
                backends.Add(Refresh(b, snapshot));
            gateways.Add(gw with { Backends = new(backends) });
        }
        return previous with { Gateways = new(gateways) };
    }

    /// <summary>Backend ids are <c>ns/service:port</c> plus an optional <c>/protocol</c> suffix (see BackendResolver).</summary>
    private static BackendIr Refresh(BackendIr backend, ResourceSnapshot snapshot)
    {
        var id = backend.Id;
        if (id.StartsWith("Backend:", StringComparison.Ordinal)) return backend; // Envoy Gateway Backend: no EndpointSlices
        var slash = id.IndexOf('/');
        var colon = id.LastIndexOf(':');
        if (slash <= 0 || colon <= slash) return backend;
        var suffix = id.IndexOf('/', colon);
        var portText = suffix < 0 ? id[(colon + 1)..] : id[(colon + 1)..suffix];
        if (!int.TryParse(portText, System.Globalization.CultureInfo.InvariantCulture, out var port)) return backend;
        var svc = snapshot.Get<Service>("Service", id[..slash], id[(slash + 1)..colon]);
        var protocol = backend.Protocol == BackendProtocol.Datagram ? "UDP" : "TCP";
        var sp = svc?.Spec.Ports.FirstOrDefault(p => p.Port == port && (p.Protocol ?? "TCP") == protocol);
        if (svc is null || sp is null) return backend;
        var endpoints = BackendResolver.EndpointsFor(snapshot, svc, sp);
        return endpoints == backend.Endpoints ? backend : backend with { Endpoints = endpoints };
    }
}
