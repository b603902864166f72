using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// BackendTrafficPolicy <c>spec.proxyProtocol</c>, <c>spec.tcpKeepalive</c> and <c>spec.connection</c>: how the
/// gateway opens and holds its backend connections, with errors naming the field.
/// </summary>
internal static class BackendConnectionCompiler
{
    public readonly record struct Settings(BackendProxyProtocolVersion? ProxyProtocol, TcpKeepaliveIr? Keepalive, long? BufferLimit, TimeSpan? DnsRefreshRate, DnsLookupFamily? LookupFamily, bool RespectDnsTtl);

    public static Settings Compile(BackendTrafficPolicySpec spec, List<string> errors, List<string> warnings)
    {
        BackendProxyProtocolVersion? proxy = null;
        if (spec.ProxyProtocol is { } pp)
        {
            BackendTrafficPolicyCompiler.Unmodelled(pp.Unmodelled, "spec.proxyProtocol", warnings);
            switch (pp.Version)
            {
                case "V1": proxy = BackendProxyProtocolVersion.V1; break;
                case "V2": proxy = BackendProxyProtocolVersion.V2; break;
                default: errors.Add($"spec.proxyProtocol.version: \"{pp.Version}\" is not V1 or V2"); break;
            }
        }

        TcpKeepaliveIr? keepalive = null;
        if (spec.TcpKeepalive is { } ka)
        {
            BackendTrafficPolicyCompiler.Unmodelled(ka.Unmodelled, "spec.tcpKeepalive", warnings);
            var defaults = new TcpKeepaliveIr();
            var idle = Positive(ka.IdleTime, defaults.IdleTime, "spec.tcpKeepalive.idleTime", errors);
            var interval = Positive(ka.Interval, defaults.Interval, "spec.tcpKeepalive.interval", errors);
            var probes = ka.Probes ?? defaults.Probes;
            if (probes < 1) errors.Add($"spec.tcpKeepalive.probes: {probes} is not a positive number");
            keepalive = new TcpKeepaliveIr { Probes = Math.Max(1, probes), IdleTime = idle, Interval = interval };
        }

        long? bufferLimit = null;
        if (spec.Connection is { } c)
        {
            BackendTrafficPolicyCompiler.Unmodelled(c.Unmodelled, "spec.connection", warnings);
            if (c.BufferLimit is { } limit)
            {
                bufferLimit = Quantities.Bytes(limit);
                if (bufferLimit is null or <= 0) errors.Add($"spec.connection.bufferLimit: \"{limit}\" is not a positive size (e.g. 32Ki)");
            }
        }
        TimeSpan? dnsRefresh = null;
        DnsLookupFamily? lookupFamily = null;
        if (spec.Dns is { } dns)
        {
            BackendTrafficPolicyCompiler.Unmodelled(dns.Unmodelled, "spec.dns", warnings);
            if (dns.DnsRefreshRate is { } rate)
            {
                dnsRefresh = Durations.Parse(rate);
                if (dnsRefresh is null || dnsRefresh < TimeSpan.FromSeconds(1))
                {
                    errors.Add($"spec.dns.dnsRefreshRate: \"{rate}\" is not a duration of at least 1s");
                    dnsRefresh = null;
                }
            }
            if (dns.LookupFamily is { } family)
            {
                lookupFamily = family switch
                {
                    "IPv4" => DnsLookupFamily.IPv4,
                    "IPv6" => DnsLookupFamily.IPv6,
                    "IPv4Preferred" => DnsLookupFamily.IPv4Preferred,
                    "IPv6Preferred" => DnsLookupFamily.IPv6Preferred,
                    "IPv4AndIPv6" => DnsLookupFamily.IPv4AndIPv6,
                    _ => null,
                };
                if (lookupFamily is null)
                    errors.Add($"spec.dns.lookupFamily: \"{family}\" is not IPv4, IPv6, IPv4Preferred, IPv6Preferred or IPv4AndIPv6");
            }
        }
        // respectDnsTtl defaults to true once dns is set (Envoy Gateway's default).
        return new Settings(proxy, keepalive, bufferLimit, dnsRefresh, lookupFamily, spec.Dns is { } d && d.RespectDnsTtl != false);
    }

    /// <summary>A duration of whole seconds (what the socket options take), at least one.</summary>
    private static TimeSpan Positive(string? value, TimeSpan fallback, string field, List<string> errors)
    {
        if (value is null) return fallback;
        var parsed = Durations.Parse(value);
        if (parsed is null || parsed < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{field}: \"{value}\" is not a duration of at least 1s");
            return fallback;
        }
        return TimeSpan.FromSeconds(Math.Floor(parsed.Value.TotalSeconds));
    }
}
