using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Telemetry;

/// <summary>One bound port as the metrics see it (published by the data plane after each apply).</summary>
internal sealed record PortView(string Gateway, PortIr Port, ConnectionStats? Connections, Func<CompiledPort>? Http, L4Metrics? L4);

/// <summary>
/// Per bound port: downstream connections (HTTP, HTTPS, TCP, TLS, UDP), TLS handshakes, certificate expiry per
/// listener and Secret, and the L4 servers' bytes, datagrams and sessions. A port serving several listeners labels
/// its connection series with all of them (a connection belongs to a listener only once Host or SNI is known).
/// </summary>
internal sealed class PortsCollector(Func<IReadOnlyList<PortView>> ports) : IMetricsCollector
{
    public void Collect(MetricsWriter w)
    {
        foreach (var p in ports())
        {
            var listener = string.Join("+", p.Port.Listeners.Select(l => l.Name));
            var protocol = p.Port.Protocol.ToString().ToUpperInvariant();
            string[] labels = [p.Gateway, listener, protocol];
            if (p.Connections is { } c)
            {
                w.Add(HttpMetrics.Connections, MetricType.Counter, "Downstream connections accepted", HttpMetrics.ConnectionLabels, labels, c.Total);
                w.Add(HttpMetrics.ConnectionsActive, MetricType.Gauge, "Downstream connections open", HttpMetrics.ConnectionLabels, labels, c.Active);
                if (p.Port.Connection?.ConnectionLimit is not null)
                    w.Add("causeway_connections_over_limit_total", MetricType.Counter, "Downstream connections closed at accept: the port's connection limit was reached",
                        HttpMetrics.ConnectionLabels, labels, c.OverLimit);
                if (p.Port.Connection?.ProxyProtocol is not null)
                    w.Add("causeway_proxy_protocol_rejected_total", MetricType.Counter, "Downstream connections closed without a valid PROXY protocol header",
                        HttpMetrics.ConnectionLabels, labels, c.ProxyHeaderRejected);
                if (p.Port.Protocol == PortProtocol.Https)
                {
                    const string handshakes = "causeway_tls_handshakes_total";
                    w.Add(handshakes, MetricType.Counter, "TLS handshakes by result", ["gateway", "listener", "result"], [p.Gateway, listener, "success"], c.Handshakes);
                    w.Add(handshakes, MetricType.Counter, "TLS handshakes by result", ["gateway", "listener", "result"], [p.Gateway, listener, "failure"], c.HandshakeFailures);
                }
            }
            if (p.Http?.Invoke() is { } compiled) CollectCertificates(w, p.Gateway, compiled);
            if (p.L4 is { } l4)
            {
                var s = l4.Snapshot();
                if (p.Port.Protocol == PortProtocol.Udp)
                {
                    const string datagrams = "causeway_udp_datagrams_total";
                    string[] dl = ["gateway", "listener", "route", "direction"];
                    w.Add(datagrams, MetricType.Counter, "UDP datagrams relayed", dl, [p.Gateway, listener, "", "rx"], s.UdpDatagramsFromClients);
                    w.Add(datagrams, MetricType.Counter, "UDP datagrams relayed", dl, [p.Gateway, listener, "", "tx"], s.UdpDatagramsToClients);
                    w.Add("causeway_udp_sessions_active", MetricType.Gauge, "UDP client sessions open", HttpMetrics.ListenerLabels, [p.Gateway, listener], s.UdpSessionsActive);
                }
                else
                {
                    w.Add(HttpMetrics.Connections, MetricType.Counter, "Downstream connections accepted", HttpMetrics.ConnectionLabels, labels, s.ConnectionsAccepted);
                    w.Add(HttpMetrics.ConnectionsActive, MetricType.Gauge, "Downstream connections open", HttpMetrics.ConnectionLabels, labels, s.ConnectionsActive);
                }
                const string bytes = "causeway_tcp_bytes_total";
                string[] bl = ["gateway", "listener", "route", "direction"];
                w.Add(bytes, MetricType.Counter, "Bytes relayed by L4 listeners (rx: from clients)", bl, [p.Gateway, listener, "", "rx"], s.BytesFromClients);
                w.Add(bytes, MetricType.Counter, "Bytes relayed by L4 listeners (rx: from clients)", bl, [p.Gateway, listener, "", "tx"], s.BytesToClients);
            }
        }
    }

    private static void CollectCertificates(MetricsWriter w, string gateway, CompiledPort port)
    {
        foreach (var l in port.Ir.Listeners)
        {
            var compiled = port.Listeners.Entry(l.Hostname);
            if (compiled is null) continue;
            for (var i = 0; i < compiled.Tls.Length && i < l.Certificates.Count; i++)
            {
                var cert = compiled.Tls[i].Options.ServerCertificateContext?.TargetCertificate;
                if (cert is null) continue;
                w.Add(HttpMetrics.CertificateExpiry, MetricType.Gauge, "When the listener's certificate expires (Unix seconds)",
                    HttpMetrics.CertificateLabels, [gateway, l.Name, l.Certificates[i].Source], new DateTimeOffset(cert.NotAfter.ToUniversalTime()).ToUnixTimeSeconds());
            }
        }
    }
}
