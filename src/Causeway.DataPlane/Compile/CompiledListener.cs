using System.Net.Security;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Compile;

/// <summary>A listener ready to serve: its virtual hosts and, on HTTPS, its per-certificate TLS options.</summary>
internal sealed class CompiledListener
{
    public CompiledListener(ListenerIr ir, HostMap<RouteMatcher>? routes, (string[] DnsNames, SslServerAuthenticationOptions Options)[] tls)
    {
        Ir = ir;
        Routes = routes;
        Tls = tls;
        ClientPolicy = ir.ClientTraffic is { } ct ? new Policies.ClientTraffic.ListenerClientPolicy(ct) : null;
        OffersH2 = ir.ClientTraffic?.Tls?.AlpnProtocols is not { } alpn || alpn.Contains("h2");
        if (ir.ClientTraffic?.Tls?.Fingerprints is { } fingerprints)
        {
            Ja3 = fingerprints.Contains("JA3");
            Ja4 = fingerprints.Contains("JA4");
        }
    }

    /// <summary>The listener's ClientTrafficPolicy asks for JA3 / JA4 fingerprints of its clients' ClientHellos.</summary>
    public bool Ja3 { get; }
    public bool Ja4 { get; }

    /// <summary>The listener's TLS offers h2 by ALPN (the default): clients that offer it too get Kestrel's HTTP/2.</summary>
    public bool OffersH2 { get; }

    public ListenerIr Ir { get; }
    public string Name => Ir.Name;

    /// <summary>The listener's ClientTrafficPolicy (checks before routing), or null.</summary>
    public Policies.ClientTraffic.ListenerClientPolicy? ClientPolicy { get; }

    /// <summary>Requests in flight and unmatched requests on this listener.</summary>
    public ListenerStats Stats { get; init; } = new("", "");
    public HostMap<RouteMatcher>? Routes { get; }
    public (string[] DnsNames, SslServerAuthenticationOptions Options)[] Tls { get; }

    /// <summary>
    /// The certificates as the event loops terminate them with OpenSSL (same order as <see cref="Tls"/>); null when
    /// the listener's TLS needs SslStream (an ALPN protocol other than h2 and http/1.1).
    /// </summary>
    public (Causeway.DataPlane.Tls.CertificateStore.Entry Certificate, Causeway.DataPlane.Tls.OpenSsl.LoopTlsSettings Settings)[]? LoopTls { get; init; }

    /// <summary>The listener's client-certificate validation compiled (null: none), shared by SslStream's and the loops' handshakes.</summary>
    public Causeway.DataPlane.Tls.ClientValidation.ClientCertificateValidator? ClientValidator { get; init; }

    /// <summary>The certificate whose DNS names match the SNI, else the first one.</summary>
    public SslServerAuthenticationOptions? SelectTls(string? sni) => Tls.Length == 0 ? null : Tls[SelectIndex(sni)].Options;

    /// <summary>The OpenSSL context for the certificate <see cref="SelectTls"/> would choose, or null (see <see cref="LoopTls"/>).</summary>
    /// <param name="loopH2">The loop serves the port's HTTP/2: the context offers h2 by ALPN as configured.</param>
    public Causeway.DataPlane.Tls.OpenSsl.OpenSslContext? SelectLoopTls(string? sni, out bool servesH2, bool loopH2 = false)
    {
        servesH2 = false;
        if (LoopTls is not { Length: > 0 } loop) return null;
        var index = SelectIndex(sni);
        var (certificate, settings) = loop[index];
        if (loopH2) settings = settings.ForLoopH2();
        servesH2 = settings.ServesH2 || loopH2;
        // The store's lookup hashes the settings (a validating listener's CA bundle and CRLs with them): once per listener.
        var slot = index * 2 + (loopH2 ? 1 : 0);
        var known = _loopContexts ??= new Causeway.DataPlane.Tls.OpenSsl.OpenSslContext?[loop.Length * 2];
        return known[slot] ??= certificate.Native(settings, ClientValidator);
    }

    /// <summary>The contexts <see cref="SelectLoopTls"/> found, per certificate and h2 or not (loops racing store the same one).</summary>
    private Causeway.DataPlane.Tls.OpenSsl.OpenSslContext?[]? _loopContexts;

    private int SelectIndex(string? sni)
    {
        if (!string.IsNullOrEmpty(sni))
        {
            for (var i = 0; i < Tls.Length; i++)
                foreach (var n in Tls[i].DnsNames)
                    if (DnsNameMatches(n, sni)) return i;
        }
        return 0;
    }

    private static bool DnsNameMatches(string pattern, string host)
    {
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = host.IndexOf('.');
            return dot > 0 && host.AsSpan(dot).Equals(pattern.AsSpan(1), StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Everything one bound HTTP/HTTPS port serves; swapped as a whole by one reference assignment.</summary>
internal sealed class CompiledPort
{
    public CompiledPort(PortIr ir, HostMap<CompiledListener> listeners, CompiledListener? tlsFallback)
    {
        Ir = ir;
        Listeners = listeners;
        TlsFallback = tlsFallback;
        Connection = Policies.ClientTraffic.Connection.ClientConnectionPolicy.Create(ir.Connection);
        foreach (var l in ir.Listeners)
        {
            if (l.ClientValidation is not null) ValidatesClientCertificates = true;
            if (l.ClientTraffic is not null) HasClientPolicies = true;
        }
        // A request whose Host names no listener of the port was received by none of them: it gets late response
        // headers only when every listener of the port would give it the same ones (a policy on the whole Gateway).
        if (ir.Listeners.Count > 0 && ir.Listeners.All(l => l.ClientTraffic?.LateResponseHeaders is { } h && h == ir.Listeners[0].ClientTraffic!.LateResponseHeaders)
            && listeners.Entry(ir.Listeners[0].Hostname)?.ClientPolicy is { LateResponse: { } late })
            UnmatchedLateResponse = late;
        foreach (var l in ir.Listeners)
        {
            if (l.ClientTraffic?.LateResponseHeaders is not null) HasLateResponseHeaders = true;
            Http10DefaultHost ??= l.ClientTraffic?.Http10DefaultHost;
        }
    }

    /// <summary>
    /// The Host an HTTP/1.0 request without one gets (ClientTrafficPolicy <c>http1.http10.useDefaultHost</c>): that of
    /// the port's most specific listener (the IR's order) that has one, since no Host chose a listener; null: none.
    /// </summary>
    public string? Http10DefaultHost { get; }

    /// <summary>The default Host for an HTTP/1.0 request without one that came over <paramref name="sni"/> (HTTPS: the SNI's listener first).</summary>
    public string? Http10DefaultHostFor(string? sni)
    {
        if (Http10DefaultHost is null) return null;
        return IsHttps && ListenerForSni(sni)?.ClientPolicy?.Ir.Http10DefaultHost is { } own ? own : Http10DefaultHost;
    }

    /// <summary>Whether a listener of the port edits its responses last (ClientTrafficPolicy <c>lateResponseHeaders</c>).</summary>
    public bool HasLateResponseHeaders { get; }

    /// <summary>The late response edits for requests whose Host matched no listener; null: none.</summary>
    public Filters.HeaderEdits? UnmatchedLateResponse { get; }

    /// <summary>The late response edits for a request to <paramref name="host"/> (without port); null: none.</summary>
    public Filters.HeaderEdits? LateResponseFor(ReadOnlySpan<char> host)
    {
        if (!HasLateResponseHeaders) return null;
        var listener = Listeners.Find(host);
        return listener is null ? UnmatchedLateResponse : listener.ClientPolicy?.LateResponse;
    }

    public PortIr Ir { get; }

    /// <summary>The Gateway's tracer (null: tracing off); set by the apply before the port is published.</summary>
    public Telemetry.Tracing.GatewayTracer? Tracer { get; set; }

    /// <summary>Where requests whose Host matched no listener of this port are counted.</summary>
    public ListenerStats UnmatchedStats { get; init; } = new("", "");

    public bool IsHttps => Ir.Protocol == PortProtocol.Https;

    /// <summary>The port's ClientTrafficPolicy timeouts and connection reuse limits; null: the transports' defaults.</summary>
    public Policies.ClientTraffic.Connection.ClientConnectionPolicy? Connection { get; }

    /// <summary>Whether a listener of the port has a ClientTrafficPolicy (transports then look the listener up before routing).</summary>
    public bool HasClientPolicies { get; }

    /// <summary>The listener's policy for a request to <paramref name="host"/> (without port), or null.</summary>
    public Policies.ClientTraffic.ListenerClientPolicy? ClientPolicyFor(ReadOnlySpan<char> host) =>
        HasClientPolicies ? Listeners.Find(host)?.ClientPolicy : null;

    /// <summary>Every rule of the port runs on the event loop (and none is gRPC): the loop may serve its HTTP/2 too.</summary>
    public bool LoopH2 { get; init; }

    private volatile bool _h2Refused;

    /// <summary>
    /// The event loops serve this port's HTTP/2 connections (<see cref="LoopH2"/>, unless a request since the last
    /// apply needed Kestrel: then new HTTP/2 connections go to Kestrel until the port is compiled again).
    /// </summary>
    public bool ServesH2OnLoop => LoopH2 && !_h2Refused;

    /// <summary>An HTTP/2 request on the loop needed the Kestrel pipeline: the port's next HTTP/2 connections go to Kestrel.</summary>
    public void RefuseH2OnLoop() => _h2Refused = true;

    /// <summary>Whether any listener on the port validates client certificates (frontend mTLS).</summary>
    public bool ValidatesClientCertificates { get; }
    public HostMap<CompiledListener> Listeners { get; }

    /// <summary>The listener whose certificate is used when the SNI names no listener.</summary>
    public CompiledListener? TlsFallback { get; }

    public CompiledListener? ListenerForSni(string? sni)
    {
        var l = Listeners.Find(sni ?? "");
        return l is not null && l.Tls.Length > 0 ? l : TlsFallback;
    }
}
