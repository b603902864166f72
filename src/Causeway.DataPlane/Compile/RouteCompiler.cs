using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.Policies.ClientTraffic;
using Causeway.DataPlane.Tls;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Compile;

/// <summary>Compiles a port's IR (listeners, route tables, TLS) into the structures the hot path reads.</summary>
internal static class RouteCompiler
{
    /// <summary>
    /// Compiles a port; per-listener problems (bad certificates) go to <paramref name="failures"/>. With a
    /// <paramref name="cache"/>, virtual hosts unchanged since the previous apply are reused instead of compiled.
    /// </summary>
    public static CompiledPort CompilePort(PortIr port, Func<string?, BackendRuntime?> backends, CertificateStore certificates,
        Dictionary<string, string> failures, CompileCache? cache = null, string gateway = "", StateStore? state = null,
        Policies.RateLimit.Global.RedisCounters? globalRateLimit = null)
    {
        var listeners = new HostMap<CompiledListener>();
        CompiledListener? fallback = null;
        var rules = new Dictionary<HttpRuleIr, (CompiledRule Rule, List<(string?, BackendRuntime?)> Backends)>(ReferenceEqualityComparer.Instance);
        var share = new CompileShare(gateway, state) { GlobalRateLimit = globalRateLimit };
        foreach (var l in port.Listeners)
        {
            var tls = Array.Empty<(string[], SslServerAuthenticationOptions)>();
            (CertificateStore.Entry, Tls.OpenSsl.LoopTlsSettings)[]? loopTls = null;
            Tls.ClientValidation.ClientCertificateValidator? validator = null;
            if (port.Protocol == PortProtocol.Https)
            {
                try
                {
                    // One validator per listener, called by SslStream's handshakes and the event loops' alike.
                    if (l.ClientValidation is { } cv) validator = new Tls.ClientValidation.ClientCertificateValidator(cv);
                    tls = CompileTls(l, certificates, validator);
                    loopTls = CompileLoopTls(l, certificates);
                    if (tls.Length == 0) failures[l.Name] = "no usable certificate";
                }
                catch (Exception ex)
                {
                    failures[l.Name] = ex.Message;
                    tls = [];
                }
            }
            var compiled = new CompiledListener(l, l.Http is null ? null : CompileTable(l.Http, backends, rules, share, cache, gateway, l.Name), tls)
            {
                Stats = share.ListenerStats(l.Name),
                LoopTls = loopTls,
                ClientValidator = validator,
            };
            listeners.Add(l.Hostname, compiled);
            if (tls.Length > 0 && (fallback is null || (l.Hostname is null && fallback.Ir.Hostname is not null))) fallback = compiled;
        }
        return new CompiledPort(port, listeners, fallback)
        {
            UnmatchedStats = share.ListenerStats(""),
            LoopH2 = share.AllOnLoop && port.Listeners.Any(l => l.Http is not null),
        };
    }

    private static HostMap<RouteMatcher> CompileTable(HttpRouteTableIr table, Func<string?, BackendRuntime?> backends,
        Dictionary<HttpRuleIr, (CompiledRule Rule, List<(string?, BackendRuntime?)> Backends)> rules, CompileShare share, CompileCache? cache,
        string gateway, string listener)
    {
        var hosts = new HostMap<RouteMatcher>();
        foreach (var vh in table.VirtualHosts)
        {
            var matcher = cache is null
                ? CompileHost(vh, backends, rules, share, [], listener)
                : cache.Matcher(gateway, listener, vh, backends, used => CompileHost(vh, backends, rules, share, used, listener));
            // Reused or new, every match's state is asked for, so state of unchanged routes survives the apply.
            foreach (var m in matcher.Matches)
            {
                share.KeepState(m);
                if (!m.Rule.Plan.Allows(TransportSet.EventLoop) || m.Rule.Plan.Grpc) share.AllOnLoop = false;
            }
            hosts.Add(vh.Hostname, matcher);
        }
        return hosts;
    }

    /// <summary>Compiles one virtual host; every backend its rules resolved is added to <paramref name="used"/>.</summary>
    private static RouteMatcher CompileHost(VirtualHostIr vh, Func<string?, BackendRuntime?> backends,
        Dictionary<HttpRuleIr, (CompiledRule Rule, List<(string?, BackendRuntime?)> Backends)> rules, CompileShare share,
        List<(string?, BackendRuntime?)> used, string listener)
    {
        var matches = new List<CompiledMatch>(vh.Matches.Count);
        foreach (var m in vh.Matches)
        {
            if (!rules.TryGetValue(m.Rule, out var rule))
            {
                var resolved = new List<(string?, BackendRuntime?)>();
                var compiled = new CompiledRule(m.Rule, id =>
                {
                    var runtime = backends(id);
                    resolved.Add((id, runtime));
                    return runtime;
                }, share);
                rules[m.Rule] = rule = (compiled, resolved);
            }
            used.AddRange(rule.Backends);
            var regex = m.PathKind == PathMatchKind.Regex ? RouteRegex.FullMatch(m.PathValue) : null;
            matches.Add(new CompiledMatch(m, rule.Rule, regex, share, share.RouteStats(listener, m.Rule.Name)));
        }
        return new RouteMatcher(matches);
    }

    /// <summary>
    /// The listener's certificates for the event loops' OpenSSL termination (contexts are built on first use), or null
    /// when its TLS needs SslStream: settings <see cref="Tls.OpenSsl.LoopTlsSettings"/> does not carry. A listener that
    /// validates client certificates carries its validation in the settings, and never resumes sessions (as SslStream).
    /// </summary>
    private static (CertificateStore.Entry, Tls.OpenSsl.LoopTlsSettings)[]? CompileLoopTls(ListenerIr listener, CertificateStore certificates)
    {
        if (Tls.OpenSsl.LoopTlsSettings.From(listener.ClientTraffic?.Tls) is not { } settings) return null;
        if (listener.ClientValidation is { } cv) settings = settings with { ClientValidation = cv, Resumption = false };
        var loop = new (CertificateStore.Entry, Tls.OpenSsl.LoopTlsSettings)[listener.Certificates.Count];
        for (var i = 0; i < loop.Length; i++)
        {
            var entry = certificates.Get(listener.Certificates[i]);
            entry.Keep(settings); // its contexts of other settings are freed at the end of the apply
            loop[i] = (entry, settings);
        }
        return loop;
    }

    private static (string[], SslServerAuthenticationOptions)[] CompileTls(ListenerIr listener, CertificateStore certificates,
        Tls.ClientValidation.ClientCertificateValidator? validator)
    {
        RemoteCertificateValidationCallback? validate = validator is null ? null : validator.Validate;
        var result = new List<(string[], SslServerAuthenticationOptions)>();
        var ciphers = ClientTlsSettings.Ciphers(listener.ClientTraffic?.Tls);
        foreach (var c in listener.Certificates)
        {
            var entry = certificates.Get(c);
            var names = c.DnsNames.Count > 0 ? [.. c.DnsNames] : entry.Leaf.GetNameInfo(X509NameType.DnsName, false) is { Length: > 0 } cn ? new[] { cn } : [];
            result.Add((names, new SslServerAuthenticationOptions
            {
                ServerCertificateContext = entry.Context,
                EnabledSslProtocols = ClientTlsSettings.Protocols(listener.ClientTraffic?.Tls),
                ApplicationProtocols = ClientTlsSettings.Alpn(listener.ClientTraffic?.Tls),
                CipherSuitesPolicy = ciphers,
                // A resumed session skips client validation: with it (and across CA rotations) every handshake is full.
                AllowTlsResume = validate is null && (listener.ClientTraffic?.Tls?.SessionResumption ?? true),
                ClientCertificateRequired = validate is not null,
                RemoteCertificateValidationCallback = validate,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }));
        }
        return [.. result];
    }
}
