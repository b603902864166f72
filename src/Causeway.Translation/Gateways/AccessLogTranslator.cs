using System.Globalization;
using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.AccessLog;
using Causeway.Translation.Ir;
using Causeway.Translation.Routes;

namespace Causeway.Translation.Gateways;

/// <summary>
/// <c>spec.telemetry.accessLog</c> of a Gateway's EnvoyProxy into its <see cref="AccessLogIr"/>: <c>disable</c>, or each
/// setting with its format checked (every command operator known), its CEL matches parsed and its sinks resolved
/// (File paths; OpenTelemetry collectors by host/port or a Service backendRef). A setting Causeway cannot serve as
/// written is left out with a problem naming the field; the other settings keep working.
/// </summary>
internal static class AccessLogTranslator
{
    public static AccessLogIr? Translate(ResourceSnapshot s, ProxyConfig config, List<string> problems)
    {
        if (config.Spec.Telemetry?.AccessLog is not { } accessLog) return null;
        if (accessLog.Disable == true) return new AccessLogIr { Disabled = true };
        if (accessLog.Settings.Count == 0) return null; // Envoy Gateway: the default log
        var where = $"{config.Kind} {config.Namespace}/{config.Name}: spec.telemetry.accessLog";
        var settings = new List<AccessLogSettingIr>();
        for (var i = 0; i < accessLog.Settings.Count; i++)
        {
            var at = $"{where}.settings[{i}]";
            if (Setting(s, config, accessLog.Settings[i], at, problems) is { } ir) settings.Add(ir);
        }
        return new AccessLogIr { Settings = new EquatableArray<AccessLogSettingIr>(settings) };
    }

    private static AccessLogSettingIr? Setting(ResourceSnapshot s, ProxyConfig config, ProxyAccessLogSetting setting, string at, List<string> problems)
    {
        AccessLogScope scope;
        switch (setting.Type)
        {
            case null: scope = AccessLogScope.All; break;
            case "Route": scope = AccessLogScope.Route; break;
            case "Listener": scope = AccessLogScope.Listener; break;
            default:
                problems.Add($"{at}.type: {setting.Type} is not Route or Listener; setting skipped");
                return null;
        }

        var format = AccessLogFormatType.Json;
        string? text = null;
        var json = new List<AccessLogFieldIr>();
        switch (setting.Format?.Type)
        {
            case null or "JSON":
                if (setting.Format?.Type is null && setting.Format?.Text is { } untypedText)
                {
                    format = AccessLogFormatType.Text;
                    text = untypedText;
                    break;
                }
                foreach (var (name, value) in setting.Format?.Json is { Count: > 0 } fields ? (IEnumerable<KeyValuePair<string, string>>)fields : LogFormat.DefaultJson)
                {
                    if (!LogFormat.TryParse(value, out _, out var error))
                    {
                        problems.Add($"{at}.format.json.{name}: {error}; setting skipped");
                        return null;
                    }
                    json.Add(new AccessLogFieldIr(name, value));
                }
                break;
            case "Text":
                format = AccessLogFormatType.Text;
                text = string.IsNullOrEmpty(setting.Format.Text) ? LogFormat.DefaultText : setting.Format.Text;
                break;
            default:
                problems.Add($"{at}.format.type: {setting.Format.Type} is not Text or JSON; setting skipped");
                return null;
        }
        if (text is not null && !LogFormat.TryParse(text, out _, out var textError))
        {
            problems.Add($"{at}.format.text: {textError}; setting skipped");
            return null;
        }

        for (var m = 0; m < setting.Matches.Count; m++)
        {
            if (!CelMatch.TryParse(setting.Matches[m], out _, out var error))
            {
                problems.Add($"{at}.matches[{m}]: CEL expression \"{setting.Matches[m]}\" is not supported: {error}; setting skipped");
                return null;
            }
        }

        var sinks = new List<AccessLogSinkIr>();
        if (setting.Sinks.Count == 0) sinks.Add(new AccessLogSinkIr { Kind = AccessLogSinkKind.File, Path = "/dev/stdout" });
        for (var k = 0; k < setting.Sinks.Count; k++)
        {
            var sink = setting.Sinks[k];
            var sat = $"{at}.sinks[{k}]";
            switch (sink.Type)
            {
                case "File":
                    if (string.IsNullOrEmpty(sink.File?.Path))
                    {
                        problems.Add($"{sat}.file.path: required; sink left out");
                        continue;
                    }
                    sinks.Add(new AccessLogSinkIr { Kind = AccessLogSinkKind.File, Path = sink.File.Path });
                    break;
                case "OpenTelemetry":
                    if (sink.OpenTelemetry is not { } otel)
                    {
                        problems.Add($"{sat}.openTelemetry: required for type OpenTelemetry; sink left out");
                        continue;
                    }
                    var (host, port) = Collector(s, config, otel, sat, problems);
                    if (host is null) continue;
                    var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
                    sinks.Add(new AccessLogSinkIr
                    {
                        Kind = AccessLogSinkKind.OpenTelemetry,
                        Endpoint = $"http://{authority}:{port.ToString(CultureInfo.InvariantCulture)}",
                        Resources = new EquatableArray<AccessLogFieldIr>(otel.Resources.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new AccessLogFieldIr(r.Key, r.Value))),
                    });
                    break;
                case "ALS":
                    problems.Add($"{sat}: type ALS (gRPC access log service) is not supported by Causeway (use File or OpenTelemetry); sink left out");
                    break;
                default:
                    problems.Add($"{sat}.type: {sink.Type ?? "(none)"} is not File, OpenTelemetry or ALS; sink left out");
                    break;
            }
        }
        if (sinks.Count == 0)
        {
            problems.Add($"{at}.sinks: no sink Causeway can serve; setting skipped");
            return null;
        }

        return new AccessLogSettingIr
        {
            Source = at[..at.IndexOf(':', StringComparison.Ordinal)] + at[(at.IndexOf(':', StringComparison.Ordinal) + 1)..],
            Scope = scope,
            Format = format,
            Text = text,
            Json = new EquatableArray<AccessLogFieldIr>(json),
            Matches = new EquatableArray<string>(setting.Matches),
            Sinks = new EquatableArray<AccessLogSinkIr>(sinks),
        };
    }

    private static (string? Host, int Port) Collector(ResourceSnapshot s, ProxyConfig config, OpenTelemetryAccessLogSink otel, string at, List<string> problems)
    {
        if (otel.BackendRefs.Count > 0)
        {
            var r = otel.BackendRefs[0];
            if ((r.Group ?? "") != "" || (r.Kind ?? "Service") != "Service")
            {
                problems.Add($"{at}.openTelemetry.backendRefs[0]: only Services are supported; sink left out");
                return (null, 0);
            }
            var ns = r.Namespace ?? config.Namespace;
            if (r.Port is not { } port)
            {
                problems.Add($"{at}.openTelemetry.backendRefs[0]: port is required; sink left out");
                return (null, 0);
            }
            var svc = s.Get<Service>("Service", ns, r.Name);
            if (svc is null)
            {
                problems.Add($"{at}.openTelemetry.backendRefs[0]: Service {ns}/{r.Name} not found; sink left out");
                return (null, 0);
            }
            var sp = svc.Spec.Ports.FirstOrDefault(p => p.Port == port && (p.Protocol ?? "TCP") == "TCP");
            if (sp is not null && BackendResolver.EndpointsFor(s, svc, sp) is { Count: > 0 } endpoints)
                return (endpoints[0].Address, endpoints[0].Port);
            return ($"{r.Name}.{ns}.svc.cluster.local", port);
        }
        if (string.IsNullOrEmpty(otel.Host))
        {
            problems.Add($"{at}.openTelemetry: host or backendRefs is required; sink left out");
            return (null, 0);
        }
        return (otel.Host, otel.Port is { } p and > 0 ? p : 4317);
    }
}
