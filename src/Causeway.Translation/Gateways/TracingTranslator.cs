using System.Globalization;
using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Routes;

namespace Causeway.Translation.Gateways;

/// <summary>
/// <c>spec.telemetry.tracing</c> of a Gateway's EnvoyProxy or ProxyConfig into its <see cref="TracingIr"/>: the
/// collector (host/port, or the first ready endpoint of a backendRef's Service, else its cluster DNS name), the sampling
/// rate (<c>samplingFraction</c> over <c>samplingRate</c>, default 100%) and the custom tags, sorted by name.
/// </summary>
internal static class TracingTranslator
{
    public static TracingIr? Translate(ResourceSnapshot s, ProxyConfig config, Gateway gateway, List<string> problems)
    {
        if (config.Spec.Telemetry?.Tracing is not { } tracing) return null;
        var where = $"{config.Kind} {config.Namespace}/{config.Name}: spec.telemetry.tracing";
        var provider = tracing.Provider;
        if (provider is null)
        {
            problems.Add($"{where}.provider: required; tracing is off");
            return null;
        }
        if (provider.Type is { } type && type != "OpenTelemetry")
        {
            problems.Add($"{where}.provider.type: {type} is not supported (OpenTelemetry is); tracing is off");
            return null;
        }
        var (host, port) = Collector(s, config, provider, where, problems);
        if (host is null) return null;
        TracingProtocol protocol;
        switch (provider.Protocol)
        {
            case null: protocol = port == 4318 ? TracingProtocol.HttpProtobuf : TracingProtocol.Grpc; break;
            case "grpc": protocol = TracingProtocol.Grpc; break;
            case "http/protobuf" or "http": protocol = TracingProtocol.HttpProtobuf; break;
            default:
                problems.Add($"{where}.provider.protocol: {provider.Protocol} is not one of grpc, http/protobuf; tracing is off");
                return null;
        }
        double rate = tracing.SamplingRate ?? 100;
        if (tracing.SamplingFraction is { } f)
        {
            var denominator = f.Denominator ?? 100;
            rate = denominator <= 0 ? 0 : 100.0 * f.Numerator / denominator;
        }
        rate = Math.Clamp(rate, 0, 100);
        var tags = new List<CustomTagIr>();
        foreach (var (name, tag) in tracing.CustomTags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            CustomTagIr? ir = tag.Type switch
            {
                "Literal" when tag.Literal is { } l => new CustomTagIr(name, CustomTagKind.Literal, l.Value),
                "Environment" when tag.Environment is { } e => new CustomTagIr(name, CustomTagKind.Environment, e.Name, e.DefaultValue),
                "RequestHeader" when tag.RequestHeader is { } h => new CustomTagIr(name, CustomTagKind.RequestHeader, h.Name.ToLowerInvariant(), h.DefaultValue),
                _ => null,
            };
            if (ir is null) problems.Add($"{where}.customTags.{name}: type {tag.Type} needs its {Camel(tag.Type)} field (Literal, Environment or RequestHeader); tag left out");
            else tags.Add(ir);
        }
        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return new TracingIr
        {
            Endpoint = $"http://{authority}:{port.ToString(CultureInfo.InvariantCulture)}",
            Protocol = protocol,
            SamplingRate = rate,
            ServiceName = $"{gateway.Name}.{gateway.Namespace}",
            CustomTags = new EquatableArray<CustomTagIr>(tags),
        };
    }

    private static (string? Host, int Port) Collector(ResourceSnapshot s, ProxyConfig config, TracingProvider provider, string where, List<string> problems)
    {
        if (provider.BackendRefs.Count > 0)
        {
            var r = provider.BackendRefs[0];
            if ((r.Group ?? "") != "" || (r.Kind ?? "Service") != "Service")
            {
                problems.Add($"{where}.provider.backendRefs[0]: only Services are supported; tracing is off");
                return (null, 0);
            }
            var ns = r.Namespace ?? config.Namespace;
            if (r.Port is not { } port)
            {
                problems.Add($"{where}.provider.backendRefs[0]: port is required; tracing is off");
                return (null, 0);
            }
            var svc = s.Get<Service>("Service", ns, r.Name);
            if (svc is null)
            {
                problems.Add($"{where}.provider.backendRefs[0]: Service {ns}/{r.Name} not found; tracing is off");
                return (null, 0);
            }
            var sp = svc.Spec.Ports.FirstOrDefault(p => p.Port == port && (p.Protocol ?? "TCP") == "TCP");
            if (sp is not null && BackendResolver.EndpointsFor(s, svc, sp) is { Count: > 0 } endpoints)
                return (endpoints[0].Address, endpoints[0].Port);
            return ($"{r.Name}.{ns}.svc.cluster.local", port);
        }
        if (string.IsNullOrEmpty(provider.Host))
        {
            problems.Add($"{where}.provider: host or backendRefs is required; tracing is off");
            return (null, 0);
        }
        return (provider.Host, provider.Port ?? 4317);
    }

    private static string Camel(string type) => type.Length == 0 ? type : char.ToLowerInvariant(type[0]) + type[1..];
}
