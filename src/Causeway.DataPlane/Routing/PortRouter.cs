namespace Causeway.DataPlane.Routing;

/// <summary>What routing decided for a request on a port.</summary>
internal enum RouteOutcome
{
    Matched,

    /// <summary>No listener, virtual host or match: 404.</summary>
    NotFound,

    /// <summary>TLS: the SNI chose another listener than the Host header does: 421.</summary>
    Misdirected,
}

/// <summary>
/// Routing for every transport: the listener by Host (421 when the TLS server name chose another listener), the
/// virtual host, then the first match in precedence order.
/// </summary>
internal static class PortRouter
{
    /// <param name="host">The Host header without its port.</param>
    /// <param name="sni">The TLS server name, when the connection is TLS and sent one.</param>
    public static RouteOutcome Route<TRequest>(CompiledPort port, in TRequest request, ReadOnlySpan<char> host, string? sni,
        ReadOnlySpan<char> path, out CompiledMatch? match, out RoutePlan? plan, out ListenerStats stats) where TRequest : struct, IRequestView
    {
        match = null;
        plan = null;
        var listener = port.Listeners.Find(host);
        stats = listener?.Stats ?? port.UnmatchedStats;
        if (port.IsHttps && !string.IsNullOrEmpty(sni) && !ReferenceEquals(port.Listeners.Find(sni), listener))
            return RouteOutcome.Misdirected;
        // Without a server name the handshake used the port's fallback listener: a listener that validates client
        // certificates is only reached over a handshake that validated them the same way.
        if (port.IsHttps && port.ValidatesClientCertificates && listener?.Ir.ClientValidation is { } validation
            && !Equals(port.ListenerForSni(sni)?.Ir.ClientValidation, validation))
            return RouteOutcome.Misdirected;
        var vhost = listener?.Routes?.Find(host);
        if (vhost is null) return RouteOutcome.NotFound;
        match = vhost.Find(request, path, out plan);
        return match is null ? RouteOutcome.NotFound : RouteOutcome.Matched;
    }

    public static int Status(RouteOutcome outcome) => outcome == RouteOutcome.Misdirected ? 421 : 404;
}
