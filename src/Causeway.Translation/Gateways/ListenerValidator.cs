using System.Text;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Status;

namespace Causeway.Translation.Gateways;

/// <summary>Decides each listener's protocol support, route kinds, TLS references and conflicts.</summary>
internal static class ListenerValidator
{
    private const string G = KindRegistry.GatewayGroup;

    public static readonly IReadOnlyDictionary<string, string[]> KindsByProtocol = new Dictionary<string, string[]>
    {
        ["HTTP"] = ["HTTPRoute", "GRPCRoute"],
        ["HTTPS"] = ["HTTPRoute", "GRPCRoute"],
        ["TLS"] = ["TLSRoute"],
        ["TCP"] = ["TCPRoute"],
        ["UDP"] = ["UDPRoute"],
    };

    public static void Validate(ResourceSnapshot s, ListenerContext l)
    {
        var protocol = l.Spec.Protocol;
        if (!KindsByProtocol.TryGetValue(protocol, out var kinds))
        {
            l.SupportedProtocol = false;
            return;
        }
        if (protocol == "TLS" && l.Spec.Tls?.Mode == "Terminate")
            kinds = ["TLSRoute", "TCPRoute"];

        var requested = l.Spec.AllowedRoutes?.Kinds;
        if (requested is null || requested.Count == 0)
        {
            foreach (var k in kinds) l.SupportedKinds.Add(new RouteGroupKindStatus(G, k));
        }
        else
        {
            foreach (var k in requested)
            {
                var group = k.Group ?? G;
                if (group == G && kinds.Contains(k.Kind))
                {
                    if (!l.SupportedKinds.Any(x => x.Kind == k.Kind)) l.SupportedKinds.Add(new RouteGroupKindStatus(G, k.Kind));
                }
                else
                {
                    Fail(l, Reasons.InvalidRouteKinds, $"route kind {group}/{k.Kind} is not supported on a {protocol} listener");
                }
            }
        }

        if (protocol is "HTTPS" || (protocol == "TLS" && l.Spec.Tls?.Mode != "Passthrough"))
            ResolveCertificates(s, l);
    }

    private static void ResolveCertificates(ResourceSnapshot s, ListenerContext l)
    {
        var refs = l.Spec.Tls?.CertificateRefs ?? [];
        if (refs.Count == 0)
        {
            Fail(l, Reasons.InvalidCertificateRef, "a TLS-terminating listener needs at least one certificateRef");
            return;
        }
        var fromKind = l.ListenerSet is null ? "Gateway" : "ListenerSet";
        for (var i = 0; i < refs.Count; i++)
        {
            var r = refs[i];
            var ns = r.Namespace ?? l.OwnerNamespace;
            var field = $"tls.certificateRefs[{i}]";
            if ((r.Group ?? "") != "" || (r.Kind ?? "Secret") != "Secret")
            {
                Fail(l, Reasons.InvalidCertificateRef, $"{field}: unsupported reference {r.Group}/{r.Kind}: only core Secrets are supported");
                continue;
            }
            if (!ReferenceGrants.Allows(s, G, fromKind, l.OwnerNamespace, "", "Secret", ns, r.Name))
            {
                Fail(l, Reasons.RefNotPermitted, $"{field}: Secret {ns}/{r.Name} is in another namespace and no ReferenceGrant allows it");
                continue;
            }
            var secret = s.Get<Secret>("Secret", ns, r.Name);
            if (secret is null)
            {
                Fail(l, Reasons.InvalidCertificateRef, $"{field}: Secret {ns}/{r.Name} not found");
                continue;
            }
            var (cert, error) = Certificates.FromTlsSecret(secret);
            if (cert is null)
            {
                Fail(l, Reasons.InvalidCertificateRef, $"{field}: {error}");
                continue;
            }
            l.Certificates.Add(cert);
        }
    }

    /// <summary>Frontend client-certificate validation for HTTPS listeners (Gateway spec.tls.frontend).</summary>
    public static (string Reason, string Message)? ResolveFrontendValidation(ResourceSnapshot s, Gateway gw, ListenerContext l)
    {
        var frontend = gw.Spec.Tls?.Frontend;
        if (frontend is null || l.Spec.Protocol != "HTTPS") return null;
        var entry = frontend.PerPort.FirstOrDefault(p => p.Port == l.Spec.Port)?.Tls ?? frontend.Default;
        var validation = entry?.Validation;
        if (validation is null || validation.CaCertificateRefs.Count == 0) return null;
        var (pem, problems) = Tls.ClientValidation.CaReferences.Resolve(s, G, "Gateway", gw.Namespace, validation.CaCertificateRefs,
            "ConfigMap", "ca.crt", "CA certificate", "certificate", Certificates.ValidCaBundle);
        if (problems.Count > 0) return (problems[^1].Reason, problems[^1].Message);
        l.ClientValidation = new ClientValidationIr
        {
            CaBundlePem = pem,
            Mode = validation.Mode == "AllowInsecureFallback" ? ClientValidationMode.AllowInsecureFallback : ClientValidationMode.AllowValidOnly,
        };
        return null;
    }

    /// <summary>
    /// Marks conflicts among listeners in precedence order (Gateway listeners first, then ListenerSets oldest first):
    /// on one port and transport, a different protocol is a ProtocolConflict; the same hostname a HostnameConflict.
    /// </summary>
    public static void MarkConflicts(IReadOnlyList<ListenerContext> ordered)
    {
        var winners = new List<ListenerContext>();
        foreach (var l in ordered)
        {
            if (!l.SupportedProtocol) continue;
            var samePort = winners.Where(w => w.Spec.Port == l.Spec.Port && w.IsTransportUdp == l.IsTransportUdp).ToList();
            if (samePort.Any(w => w.Spec.Protocol != l.Spec.Protocol))
                l.ConflictReason = Reasons.ProtocolConflict;
            else if (samePort.Any(w => SameHostname(w, l)))
                l.ConflictReason = Reasons.HostnameConflict;
            else
                winners.Add(l);
        }
    }

    private static bool SameHostname(ListenerContext a, ListenerContext b)
    {
        if (a.Spec.Protocol is "TCP" or "UDP") return true; // no hostnames: one listener per port
        return string.Equals(a.Spec.Hostname ?? "", b.Spec.Hostname ?? "", StringComparison.OrdinalIgnoreCase);
    }

    private static void Fail(ListenerContext l, string reason, string message)
    {
        if (l.ResolvedRefsReason is not null && l.ResolvedRefsReason != reason && reason == Reasons.InvalidCertificateRef)
            return; // keep the first reason
        l.ResolvedRefsReason ??= reason;
        l.ResolvedRefsMessage = l.ResolvedRefsMessage.Length == 0 ? message : l.ResolvedRefsMessage + "; " + message;
    }
}
