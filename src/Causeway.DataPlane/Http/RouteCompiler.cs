using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.Tls;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Http;

/// <summary>Compiles a port's IR (listeners, route tables, TLS) into the structures the hot path reads.</summary>
internal static class RouteCompiler
{
    /// <summary>Compiles a port; per-listener problems (bad certificates) go to <paramref name="failures"/>.</summary>
    public static CompiledPort CompilePort(PortIr port, Func<string?, BackendRuntime?> backends, CertificateStore certificates, Dictionary<string, string> failures)
    {
        var listeners = new HostMap<CompiledListener>();
        CompiledListener? fallback = null;
        var rules = new Dictionary<HttpRuleIr, CompiledRule>(ReferenceEqualityComparer.Instance);
        foreach (var l in port.Listeners)
        {
            var tls = Array.Empty<(string[], SslServerAuthenticationOptions)>();
            if (port.Protocol == PortProtocol.Https)
            {
                try
                {
                    tls = CompileTls(l, certificates);
                    if (tls.Length == 0) failures[l.Name] = "no usable certificate";
                }
                catch (Exception ex)
                {
                    failures[l.Name] = ex.Message;
                    tls = [];
                }
            }
            var compiled = new CompiledListener(l, l.Http is null ? null : CompileTable(l.Http, backends, rules), tls);
            listeners.Add(l.Hostname, compiled);
            if (tls.Length > 0 && (fallback is null || (l.Hostname is null && fallback.Ir.Hostname is not null))) fallback = compiled;
        }
        return new CompiledPort(port, listeners, fallback);
    }

    public static HostMap<RouteMatcher> CompileTable(HttpRouteTableIr table, Func<string?, BackendRuntime?> backends, Dictionary<HttpRuleIr, CompiledRule> rules)
    {
        var hosts = new HostMap<RouteMatcher>();
        foreach (var vh in table.VirtualHosts)
        {
            var matches = new List<CompiledMatch>(vh.Matches.Count);
            foreach (var m in vh.Matches)
            {
                if (!rules.TryGetValue(m.Rule, out var rule)) rules[m.Rule] = rule = new CompiledRule(m.Rule, backends);
                var regex = m.PathKind == PathMatchKind.Regex ? RegexFactory.FullMatch(m.PathValue) : null;
                matches.Add(new CompiledMatch(m, rule, regex));
            }
            hosts.Add(vh.Hostname, new RouteMatcher(matches));
        }
        return hosts;
    }

    private static (string[], SslServerAuthenticationOptions)[] CompileTls(ListenerIr listener, CertificateStore certificates)
    {
        RemoteCertificateValidationCallback? validate = null;
        if (listener.ClientValidation is { } cv)
        {
            var chain = new ChainValidator(CertificateStore.LoadBundle(cv.CaBundlePem));
            var insecure = cv.Mode == ClientValidationMode.AllowInsecureFallback;
            validate = (_, cert, presented, errors) => insecure || chain.IsTrusted(cert, presented, errors, isServer: false);
        }
        var result = new List<(string[], SslServerAuthenticationOptions)>();
        foreach (var c in listener.Certificates)
        {
            var entry = certificates.Get(c);
            var names = c.DnsNames.Count > 0 ? [.. c.DnsNames] : entry.Leaf.GetNameInfo(X509NameType.DnsName, false) is { Length: > 0 } cn ? new[] { cn } : [];
            result.Add((names, new SslServerAuthenticationOptions
            {
                ServerCertificateContext = entry.Context,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                ClientCertificateRequired = validate is not null,
                RemoteCertificateValidationCallback = validate,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }));
        }
        return [.. result];
    }
}
