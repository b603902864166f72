using System.Text;
using System.Text.Json;
using Causeway.Model;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>BackendTrafficPolicy <c>spec.healthCheck.active</c> into <see cref="ActiveHealthIr"/>, with errors naming the field.</summary>
internal static class ActiveHealthCompiler
{
    private const string Field = "spec.healthCheck.active";

    public static ActiveHealthIr? Compile(ActiveHealthCheckSpec a, List<string> errors, List<string> warnings)
    {
        Unmodelled(a.Unmodelled, Field, warnings);
        var before = errors.Count;
        var kind = a.Type switch
        {
            "HTTP" => ActiveHealthKind.Http,
            "TCP" => ActiveHealthKind.Tcp,
            "GRPC" => ActiveHealthKind.Grpc,
            _ => (ActiveHealthKind?)null,
        };
        if (kind is null) errors.Add($"{Field}.type: \"{a.Type}\" is not HTTP, TCP or GRPC");
        if (kind == ActiveHealthKind.Http && a.Http is null) errors.Add($"{Field}.http: required when type is HTTP");
        if (kind != ActiveHealthKind.Http && a.Http is not null) errors.Add($"{Field}.http: only allowed when type is HTTP");
        if (kind == ActiveHealthKind.Tcp && a.Tcp is null) errors.Add($"{Field}.tcp: required when type is TCP");
        if (kind != ActiveHealthKind.Tcp && a.Tcp is not null) errors.Add($"{Field}.tcp: only allowed when type is TCP");
        if (kind != ActiveHealthKind.Grpc && a.Grpc is not null) errors.Add($"{Field}.grpc: only allowed when type is GRPC");
        var timeout = Duration(a.Timeout, "1s", $"{Field}.timeout", errors);
        var interval = Duration(a.Interval, "3s", $"{Field}.interval", errors);
        var jitter = a.InitialJitter is null ? TimeSpan.Zero : Duration(a.InitialJitter, "0s", $"{Field}.initialJitter", errors);
        if (interval is { } i && i <= TimeSpan.Zero) errors.Add($"{Field}.interval: must be greater than 0");
        if (timeout is { } t && t <= TimeSpan.Zero) errors.Add($"{Field}.timeout: must be greater than 0");
        var unhealthy = a.UnhealthyThreshold ?? 3;
        var healthy = a.HealthyThreshold ?? 1;
        if (unhealthy < 1) errors.Add($"{Field}.unhealthyThreshold: {unhealthy} is less than 1");
        if (healthy < 1) errors.Add($"{Field}.healthyThreshold: {healthy} is less than 1");
        int? port = null;
        if (a.Overrides is { } o)
        {
            Unmodelled(o.Unmodelled, $"{Field}.overrides", warnings);
            if (o.Port is { } p && p is < 1 or > 65535) errors.Add($"{Field}.overrides.port: {p} is not a port");
            else port = o.Port;
        }

        var ir = new ActiveHealthIr
        {
            Kind = kind ?? ActiveHealthKind.Http,
            Timeout = timeout ?? TimeSpan.FromSeconds(1),
            Interval = interval ?? TimeSpan.FromSeconds(3),
            InitialJitter = jitter ?? TimeSpan.Zero,
            UnhealthyThreshold = unhealthy,
            HealthyThreshold = healthy,
            Port = port,
        };
        if (a.Http is { } http && kind == ActiveHealthKind.Http)
        {
            Unmodelled(http.Unmodelled, $"{Field}.http", warnings);
            var path = http.Path ?? "";
            if (path.Length == 0 || path[0] != '/') errors.Add($"{Field}.http.path: \"{path}\" must start with /");
            var method = http.Method ?? "GET";
            if (method.Length == 0 || !method.All(c => char.IsAsciiLetterUpper(c))) errors.Add($"{Field}.http.method: \"{method}\" is not an HTTP method");
            var expected = http.ExpectedStatuses is { Count: > 0 } e ? e : [200];
            foreach (var s in expected.Concat(http.RetriableStatuses ?? []))
                if (s is < 100 or > 599) errors.Add($"{Field}.http: status {s} is not between 100 and 599");
            ir = ir with
            {
                Path = path,
                Method = method,
                Hostname = string.IsNullOrEmpty(http.Hostname) ? null : http.Hostname,
                ExpectedStatuses = new EquatableArray<int>(expected),
                RetriableStatuses = new EquatableArray<int>(http.RetriableStatuses ?? []),
                Expected = Payload(http.ExpectedResponse, $"{Field}.http.expectedResponse", errors),
                Send = Payload(http.RequestBody, $"{Field}.http.requestBody", errors),
            };
        }
        if (a.Tcp is { } tcp && kind == ActiveHealthKind.Tcp)
        {
            Unmodelled(tcp.Unmodelled, $"{Field}.tcp", warnings);
            ir = ir with
            {
                Send = Payload(tcp.Send, $"{Field}.tcp.send", errors),
                Expected = Payload(tcp.Receive, $"{Field}.tcp.receive", errors),
            };
        }
        if (a.Grpc is { } grpc)
        {
            Unmodelled(grpc.Unmodelled, $"{Field}.grpc", warnings);
            ir = ir with { GrpcService = grpc.Service ?? "" };
        }
        return errors.Count > before ? null : ir;
    }

    private static EquatableArray<byte>? Payload(HealthCheckPayloadSpec? p, string field, List<string> errors)
    {
        if (p is null) return null;
        switch (p.Type)
        {
            case "Text" when p.Text is not null && p.Binary is null:
                return new EquatableArray<byte>(Encoding.UTF8.GetBytes(p.Text));
            case "Binary" when p.Binary is not null && p.Text is null:
                try
                {
                    return new EquatableArray<byte>(Convert.FromBase64String(p.Binary));
                }
                catch (FormatException)
                {
                    errors.Add($"{field}.binary: not base64");
                    return null;
                }
            case "Text":
                errors.Add($"{field}: type Text needs text (and no binary)");
                return null;
            case "Binary":
                errors.Add($"{field}: type Binary needs binary (and no text)");
                return null;
            default:
                errors.Add($"{field}.type: \"{p.Type}\" is not Text or Binary");
                return null;
        }
    }

    private static TimeSpan? Duration(string? value, string fallback, string field, List<string> errors) =>
        BackendTrafficPolicyCompiler.Duration(value, fallback, field, errors);

    private static void Unmodelled(Dictionary<string, JsonElement>? fields, string path, List<string> into) =>
        BackendTrafficPolicyCompiler.Unmodelled(fields, path, into);
}
