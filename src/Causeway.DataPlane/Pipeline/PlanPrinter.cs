using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// Prints what every HTTP route will do and where it runs: per gateway, port, listener, virtual host and match, the
/// rule's plan (its steps in pipeline order, each target's steps) and the transports that serve it. Compiled exactly
/// as the data plane compiles it (nothing is bound), so a reviewer sees in a diff what a change does to each route;
/// <c>causeway translate --output plan</c> prints it and the plan golden tests compare it.
/// </summary>
public static class PlanPrinter
{
    public static string Print(IReadOnlyList<GatewayIr> gateways)
    {
        var sb = new StringBuilder();
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        var certificates = new Tls.CertificateStore();
        foreach (var gw in gateways)
        {
            sb.Append("gateway ").AppendLine(gw.Name);
            var backends = new Dictionary<string, BackendRuntime>(StringComparer.Ordinal);
            BackendRuntime? Lookup(string? id)
            {
                if (id is null) return null;
                if (backends.TryGetValue(id, out var rt)) return rt;
                var ir = gw.Backends.FirstOrDefault(b => b.Id == id);
                if (ir is null || ir.Protocol is BackendProtocol.Stream or BackendProtocol.Datagram) return null;
                // As the data plane with its byte transports on: cleartext HTTP/1.1 backends get their pools.
                rt = new BackendRuntime(ir, invoker, TimeSpan.FromSeconds(60)) { FastEndpoints = Http1BackendPools.Serves(ir) ? [] : null };
                backends[id] = rt;
                return rt;
            }
            foreach (var port in gw.Ports)
            {
                if (port.Protocol is not (PortProtocol.Http or PortProtocol.Https)) continue;
                sb.Append("  port ").Append(port.Port).Append(' ').AppendLine(port.Protocol.ToString().ToUpperInvariant());
                var failures = new Dictionary<string, string>(StringComparer.Ordinal);
                CompiledPort compiled;
                try
                {
                    compiled = RouteCompiler.CompilePort(port, Lookup, certificates, failures, gateway: gw.Name);
                }
                catch (Exception ex)
                {
                    sb.Append("    not compiled: ").AppendLine(ex.Message);
                    continue;
                }
                foreach (var l in port.Listeners)
                {
                    sb.Append("    listener ").Append(l.Name).Append(" hostname=").AppendLine(l.Hostname ?? "*");
                    if (failures.TryGetValue(l.Name, out var failure)) sb.Append("      failure: ").AppendLine(failure);
                    var listener = compiled.Listeners.Entry(l.Hostname);
                    if (listener?.ClientPolicy?.EarlyRequest is { } early)
                    {
                        sb.Append("      early request headers: ").Append(early.Describe());
                        sb.AppendLine(listener.ClientPolicy.EarlyFitsHttp1 ? "" : " (Kestrel: the byte transports hand such requests over)");
                    }
                    if (listener?.ClientPolicy?.LateResponse is { } late) sb.Append("      late response headers: ").AppendLine(late.Describe());
                    if (listener?.ClientPolicy?.EnvoyHeaders == true)
                        sb.AppendLine("      envoy headers: x-envoy-upstream-service-time, x-envoy-expected-rq-timeout-ms (rules with a timeout), x-envoy-original-path (rewritten paths)");
                    if (l.Http is null || listener?.Routes is null) continue;
                    foreach (var vh in l.Http.VirtualHosts)
                    {
                        sb.Append("      host ").AppendLine(vh.Hostname);
                        var matcher = listener.Routes.Entry(vh.Hostname);
                        if (matcher is null) continue;
                        foreach (var m in matcher.Matches) Append(sb, m);
                    }
                }
            }
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, CompiledMatch m)
    {
        var ir = m.Ir;
        sb.Append("        match ").Append(ir.PathKind).Append(' ').Append(ir.PathValue);
        if (ir.Method is not null) sb.Append(" method=").Append(ir.Method);
        foreach (var h in ir.Headers) sb.Append(" header:").Append(h.Name).Append(h.Kind == StringMatchKind.Regex ? "~" : "=").Append(h.Value);
        foreach (var q in ir.QueryParams) sb.Append(" query:").Append(q.Name).Append(q.Kind == StringMatchKind.Regex ? "~" : "=").Append(q.Value);
        sb.AppendLine();
        var plan = m.Plan;
        sb.Append("          rule ").AppendLine(plan.Name);
        sb.Append("          transports ").AppendLine(Describe(plan.Transports));
        if (!m.Rule.Upgrades.IsDefault) sb.Append("          ").AppendLine(m.Rule.Upgrades.Describe());
        foreach (var s in plan.Steps) Step(sb, "          - ", s);
        for (var i = 0; i < plan.Targets.Length; i++)
        {
            var t = plan.Targets[i];
            var weight = t.CumulativeWeight - (i == 0 ? 0 : plan.Targets[i - 1].CumulativeWeight);
            sb.Append("          target ").Append(i).Append(" weight=").Append(weight).Append(" transports ").AppendLine(Describe(t.Transports));
            foreach (var s in t.Steps) Step(sb, "            - ", s);
        }
    }

    /// <summary>A step, and the transports it allows when that is not all of them (what narrows the plan).</summary>
    private static void Step(StringBuilder sb, string indent, PipelineStep s)
    {
        sb.Append(indent).Append(s.Stage).Append(": ").Append(s.Describe());
        if (s.Transports != TransportSet.All) sb.Append("  only ").Append(Describe(s.Transports));
        sb.AppendLine();
    }

    internal static string Describe(TransportSet set)
    {
        var names = new List<string>(3);
        if ((set & TransportSet.EventLoop) != 0) names.Add("event-loop");
        if ((set & TransportSet.Http1Relay) != 0) names.Add("http1-relay");
        if ((set & TransportSet.Kestrel) != 0) names.Add("kestrel");
        return "[" + string.Join(", ", names) + "]";
    }
}
