using System.Net;
using System.Text;
using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>
/// Envoy Gateway <c>Backend</c>s (gateway.envoyproxy.io/v1alpha1) as backends: each Backend is checked once per
/// translation; a valid one becomes a <see cref="BackendIr"/> per protocol (IP, FQDN and Unix socket endpoints, app
/// protocol, TLS); an invalid one is rejected alone, with a message naming the field, in its status and in the
/// ResolvedRefs condition of the routes that name it.
/// </summary>
internal sealed class EnvoyBackends(ResourceSnapshot s)
{
    public const string H2c = "gateway.envoyproxy.io/h2c";
    public const string Ws = "gateway.envoyproxy.io/ws";
    public const string Wss = "gateway.envoyproxy.io/wss";

    private readonly Dictionary<ObjectKey, (string? Problem, List<string> Notes)> _checked = [];

    /// <summary>Why a Backend is invalid (<c>spec.FIELD: message</c>), or null when it is valid.</summary>
    public string? Problem(Backend b) => Checked(b).Problem;

    /// <summary>What an accepted Backend asks for that Causeway serves differently (the Accepted condition's message).</summary>
    public IReadOnlyList<string> Notes(Backend b) => Checked(b).Notes;

    private (string? Problem, List<string> Notes) Checked(Backend b)
    {
        if (!_checked.TryGetValue(b.Key, out var c))
        {
            var notes = new List<string>();
            _checked[b.Key] = c = (Check(b, notes), notes);
        }
        return c;
    }

    /// <summary>
    /// The backend for a route whose default protocol is <paramref name="defaultProtocol"/>: the Backend's
    /// appProtocols decide HTTP/2 (h2c) and WebSocket for HTTP routes; L4 routes get a stream or datagram backend.
    /// </summary>
    public BackendIr Build(Backend b, BackendProtocol defaultProtocol)
    {
        var protocol = defaultProtocol;
        if (defaultProtocol is BackendProtocol.Http1)
        {
            if (b.Spec.AppProtocols.Contains(H2c)) protocol = BackendProtocol.H2c;
            else if (b.Spec.AppProtocols.Contains(Ws) || b.Spec.AppProtocols.Contains(Wss)) protocol = BackendProtocol.WebSocket;
        }
        var id = $"Backend:{b.Namespace}/{b.Name}" + protocol switch
        {
            BackendProtocol.H2c => "/h2c",
            BackendProtocol.WebSocket => "/ws",
            BackendProtocol.Stream => "/tcp",
            BackendProtocol.Datagram => "/udp",
            _ => "",
        };
        var endpoints = new List<EndpointIr>(b.Spec.Endpoints.Count);
        foreach (var e in b.Spec.Endpoints)
        {
            if (e.Ip is { } ip) endpoints.Add(new EndpointIr(IPAddress.Parse(ip.Address).ToString(), ip.Port));
            else if (e.Fqdn is { } f) endpoints.Add(new EndpointIr(f.Hostname.TrimEnd('.').ToLowerInvariant(), f.Port) { Kind = EndpointKind.Fqdn });
            else if (e.Unix is { } u) endpoints.Add(new EndpointIr(u.Path, 0) { Kind = EndpointKind.Unix });
        }
        endpoints.Sort((x, y) => (x.Kind, x.Address, x.Port).CompareTo((y.Kind, y.Address, y.Port)));
        return new BackendIr
        {
            Id = id,
            Protocol = protocol,
            Endpoints = new(endpoints.Distinct()),
            Tls = defaultProtocol is BackendProtocol.Datagram ? null : Tls(b),
            Fallback = b.Spec.Fallback == true,
            Hostname = b.Spec.Endpoints.Select(e => e.Fqdn?.Hostname ?? e.Hostname).FirstOrDefault(h => !string.IsNullOrEmpty(h))?.TrimEnd('.').ToLowerInvariant(),
        };
    }

    private BackendTlsIr? Tls(Backend b)
    {
        if (b.Spec.Tls is not { } tls) return null;
        var sni = tls.Sni
            ?? b.Spec.Endpoints.Select(e => e.Fqdn?.Hostname ?? e.Hostname).FirstOrDefault(h => h is not null)
            ?? b.Spec.Endpoints.Select(e => e.Ip?.Address).FirstOrDefault(a => a is not null)
            ?? "localhost";
        string? ca = null;
        if (tls.CaCertificateRefs.Count > 0)
        {
            var pem = new StringBuilder();
            foreach (var r in tls.CaCertificateRefs) pem.AppendLine(CaText(b, r));
            ca = pem.ToString();
        }
        var (min, max, ciphers) = Versions(tls, [], []); // checked valid by Check
        return new BackendTlsIr
        {
            Hostname = sni,
            CaBundlePem = ca,
            InsecureSkipVerify = tls.InsecureSkipVerify == true,
            MinVersion = tls.MinVersion is null or "Auto" ? null : min,
            MaxVersion = tls.MaxVersion is null or "Auto" ? null : max,
            Ciphers = ciphers.Count > 0 ? new(ciphers) : null,
            AlpnProtocols = tls.AlpnProtocols is { } alpn ? new([.. alpn]) : null,
            ClientCertificate = tls.ClientCertificateRef is { } certRef ? ClientCertificate(b, certRef).Cert : null,
        };
    }

    /// <summary>
    /// The Backend's TLS versions and TLS 1.2 ciphers as Causeway offers them (the ClientTrafficPolicy's rules: 1.0 and
    /// 1.1 as the minimum are raised to 1.2 with a warning).
    /// </summary>
    private static (string Min, string Max, List<string> Ciphers) Versions(BackendTlsSettingsSpec tls, List<string> errors, List<string> warnings)
    {
        var min = Policies.TlsCipherNames.Version(tls.MinVersion, "1.2", "spec.tls.minVersion", errors, warnings);
        var max = Policies.TlsCipherNames.Version(tls.MaxVersion, "1.3", "spec.tls.maxVersion", errors, warnings);
        if (string.CompareOrdinal(min, max) > 0) errors.Add($"spec.tls: minVersion {min} is above maxVersion {max}");
        return (min, max, Policies.TlsCipherNames.Ciphers(tls.Ciphers, min, "spec.tls.ciphers", errors));
    }

    private (TlsCertificateIr? Cert, string? Error) ClientCertificate(Backend b, SecretObjectReference r)
    {
        if ((r.Group ?? "") != "" || (r.Kind ?? "Secret") != "Secret")
            return (null, $"spec.tls.clientCertificateRef: unsupported reference {r.Group}/{r.Kind}: only core Secrets are supported");
        var ns = r.Namespace ?? b.Namespace;
        if (!ReferenceGrants.Allows(s, "gateway.envoyproxy.io", "Backend", b.Namespace, "", "Secret", ns, r.Name))
            return (null, $"spec.tls.clientCertificateRef: Secret {ns}/{r.Name} is in another namespace and no ReferenceGrant allows it");
        if (s.Get<Secret>("Secret", ns, r.Name) is not { } secret) return (null, $"spec.tls.clientCertificateRef: Secret {ns}/{r.Name} not found");
        var (cert, error) = Certificates.FromTlsSecret(secret);
        return cert is null ? (null, "spec.tls.clientCertificateRef: " + error) : (cert, null);
    }

    private string? CaText(Backend b, LocalObjectReference r)
    {
        var text = r.Kind switch
        {
            "ConfigMap" => s.Get<ConfigMap>("ConfigMap", b.Namespace, r.Name)?.Data.GetValueOrDefault("ca.crt"),
            "Secret" => s.Get<Secret>("Secret", b.Namespace, r.Name)?.Data.GetValueOrDefault("ca.crt") is { } bytes ? Encoding.UTF8.GetString(bytes) : null,
            _ => null,
        };
        return Certificates.ValidCaBundle(text);
    }

    private static bool IsDnsName(string name) =>
        name.Length is > 0 and <= 253 && name.Split('.').All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-'
            && l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));

    /// <param name="notes">Gets what the Backend asks for that is served differently.</param>
    private string? Check(Backend b, List<string> notes)
    {
        var spec = b.Spec;
        if (spec.Type is "DynamicResolver")
            return "spec.type: DynamicResolver (forwarding to the host the request names) is not supported by Causeway; use Endpoints";
        if (spec.Endpoints.Count == 0) return "spec.endpoints: at least one endpoint is required";
        for (var i = 0; i < spec.Endpoints.Count; i++)
        {
            var e = spec.Endpoints[i];
            var field = $"spec.endpoints[{i}]";
            var kinds = (e.Ip is null ? 0 : 1) + (e.Fqdn is null ? 0 : 1) + (e.Unix is null ? 0 : 1);
            if (kinds != 1) return $"{field}: exactly one of ip, fqdn and unix must be set";
            if (e.Ip is { } ip)
            {
                if (!IPAddress.TryParse(ip.Address, out _)) return $"{field}.ip.address: '{ip.Address}' is not an IP address";
                if (ip.Port is < 1 or > 65535) return $"{field}.ip.port: {ip.Port} is not a port number";
            }
            if (e.Fqdn is { } f)
            {
                if (IPAddress.TryParse(f.Hostname, out _)) return $"{field}.fqdn.hostname: '{f.Hostname}' is an IP address; use ip";
                if (!IsDnsName(f.Hostname.TrimEnd('.'))) return $"{field}.fqdn.hostname: '{f.Hostname}' is not a valid DNS name";
                if (f.Port is < 1 or > 65535) return $"{field}.fqdn.port: {f.Port} is not a port number";
            }
            if (e.Unix is { } u && !u.Path.StartsWith('/'))
                return $"{field}.unix.path: '{u.Path}' must be an absolute path";
        }
        for (var i = 0; i < spec.AppProtocols.Count; i++)
            if (spec.AppProtocols[i] is not (H2c or Ws or Wss))
                return $"spec.appProtocols[{i}]: unsupported application protocol '{spec.AppProtocols[i]}'";
        if (spec.Tls is { } tls)
        {
            if (tls.Unmodelled is { Count: > 0 } extra)
                return $"spec.tls.{extra.Keys.Order(StringComparer.Ordinal).First()}: not supported by Causeway yet";
            if (tls.AutoSNIFromEndpointHostname == true)
            {
                // Each endpoint's hostname is its SNI. Causeway has one TLS setting per Backend: served when the
                // FQDN endpoints name one host (the SNI used anyway without spec.tls.sni).
                if (tls.Sni is not null) return "spec.tls: sni and autoSNIFromEndpointHostname are mutually exclusive";
                var hosts = spec.Endpoints.Where(e => e.Fqdn is not null).Select(e => e.Fqdn!.Hostname.TrimEnd('.').ToLowerInvariant()).Distinct().Count();
                if (hosts == 0) return "spec.tls.autoSNIFromEndpointHostname: needs fqdn endpoints (their hostname is the SNI)";
                if (hosts > 1 || spec.Endpoints.Any(e => e.Fqdn is null))
                    return "spec.tls.autoSNIFromEndpointHostname: endpoints with different hostnames are not supported by Causeway (one SNI per Backend); split the Backend per hostname";
            }
            var errors = new List<string>();
            Versions(tls, errors, notes);
            if (errors.Count > 0) return errors[0];
            if (tls.EcdhCurves is { Count: > 0 })
                return "spec.tls.ecdhCurves: not supported by Causeway towards backends (its TLS client cannot restrict the curves)";
            if (tls.SignatureAlgorithms is { Count: > 0 })
                return "spec.tls.signatureAlgorithms: not supported by Causeway towards backends (its TLS client cannot restrict them)";
            if (tls.Fingerprints is { Count: > 0 })
                return "spec.tls.fingerprints: fingerprints describe a client's handshake; they have no meaning for a connection to a backend";
            if (tls.ClientCertificateRef is { } certRef && ClientCertificate(b, certRef).Error is { } certError) return certError;
            for (var i = 0; i < tls.CaCertificateRefs.Count; i++)
            {
                var r = tls.CaCertificateRefs[i];
                if (r.Group != "" || r.Kind is not ("ConfigMap" or "Secret"))
                    return $"spec.tls.caCertificateRefs[{i}]: unsupported kind {r.Group}/{r.Kind} (use ConfigMap or Secret)";
                if (CaText(b, r) is null)
                    return $"spec.tls.caCertificateRefs[{i}]: {r.Kind} {b.Namespace}/{r.Name} not found or holds no valid CA certificate in ca.crt";
            }
            if (tls.CaCertificateRefs.Count == 0 && tls.WellKnownCACertificates is null && tls.InsecureSkipVerify != true)
                return "spec.tls: one of caCertificateRefs, wellKnownCACertificates and insecureSkipVerify is required";
            if (tls.WellKnownCACertificates is { } wk && wk != "System")
                return $"spec.tls.wellKnownCACertificates: unsupported value '{wk}' (use System)";
        }
        if (spec.Unmodelled is { Count: > 0 } more)
            return $"spec.{more.Keys.Order(StringComparer.Ordinal).First()}: not supported by Causeway yet";
        return null;
    }
}
