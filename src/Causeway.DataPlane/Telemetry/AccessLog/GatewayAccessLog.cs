using Causeway.Translation.AccessLog;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// One Gateway's access logs from its EnvoyProxy, compiled once per apply: each setting's formatter, CEL matches and
/// sinks, and the request headers they read (the only ones the completion hook copies). Reached from the exchange's
/// listener (<see cref="ListenerStats.AccessLog"/>), so Gateways without custom settings keep the default log
/// untouched. A disabled log has no settings: nothing is recorded.
/// </summary>
internal sealed class GatewayAccessLog
{
    private readonly Setting[] _settings;
    private readonly string[] _headers;

    public GatewayAccessLog(AccessLogIr ir, Func<AccessLogSinkIr, IAccessLogSink?> sinks)
    {
        Ir = ir;
        var settings = new List<Setting>();
        var headers = new List<string>();
        foreach (var s in ir.Settings)
        {
            if (LineFormatter.Compile(s) is not { } formatter) continue;
            var matches = new List<CelMatch>();
            foreach (var m in s.Matches)
                if (CelMatch.TryParse(m, out var match, out _)) matches.Add(match!);
            var targets = s.Sinks.Select(sinks).OfType<IAccessLogSink>().ToArray();
            if (targets.Length == 0) continue;
            settings.Add(new Setting(s.Scope, [.. matches], formatter, targets));
            headers.AddRange(LogFormat.RequestHeaders(formatter.Pieces));
            foreach (var m in matches) headers.AddRange(m.Headers());
        }
        _settings = [.. settings];
        _headers = [.. headers.Distinct(StringComparer.Ordinal)];
    }

    public AccessLogIr Ir { get; }

    /// <summary>Settings that serve (those whose sinks could be opened).</summary>
    public int Settings => _settings.Length;

    /// <summary>The request headers copied per logged request.</summary>
    public IReadOnlyList<string> Headers => _headers;

    /// <summary>Logs a completed HTTP exchange with every setting whose type and matches accept it.</summary>
    public void Record(in ExchangeSummary s)
    {
        var matched = s.Match is not null;
        AccessLogEntry? entry = null;
        foreach (var setting in _settings)
        {
            if (setting.Scope == AccessLogScope.Route ? !matched : setting.Scope == AccessLogScope.Listener && matched) continue;
            entry ??= AccessLogger.Build(s, _headers);
            if (!setting.Accepts(entry)) continue;
            foreach (var sink in setting.Sinks) sink.Enqueue(entry, setting.Formatter);
        }
    }

    /// <summary>
    /// Logs an L4 connection: one a route took by Route settings and those without type; one no route took
    /// (<paramref name="routed"/> false, NR) by Listener settings and those without type.
    /// </summary>
    public void RecordConnection(AccessLogEntry entry, bool routed)
    {
        foreach (var setting in _settings)
        {
            if (setting.Scope == AccessLogScope.Route ? !routed : setting.Scope == AccessLogScope.Listener && routed) continue;
            if (!setting.Accepts(entry)) continue;
            foreach (var sink in setting.Sinks) sink.Enqueue(entry, setting.Formatter);
        }
    }

    private sealed record Setting(AccessLogScope Scope, CelMatch[] Matches, LineFormatter Formatter, IAccessLogSink[] Sinks)
    {
        /// <summary>No match conditions, or one of them holds (Envoy Gateway ORs them).</summary>
        public bool Accepts(AccessLogEntry entry)
        {
            if (Matches.Length == 0) return true;
            foreach (var m in Matches)
                if (m.Evaluate(entry)) return true;
            return false;
        }
    }
}
