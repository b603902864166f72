using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Requests;

/// <summary>What an echo backend reported about the request it received (HTTP JSON, gRPC assertions, TCP/UDP JSON).</summary>
public sealed record EchoResponse
{
    public string Path { get; init; } = "";
    public string Host { get; init; } = "";
    public string Method { get; init; } = "";
    public string Proto { get; init; } = "";
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
    public string Namespace { get; init; } = "";
    public string Pod { get; init; } = "";
    public string Service { get; init; } = "";
    public string? TlsServerName { get; init; }
    public IReadOnlyList<string> PeerCertificates { get; init; } = [];
    public string? FullyQualifiedMethod { get; init; }
    public bool? IsTls { get; init; }
    public string? Request { get; init; }

    /// <summary>The Deployment name from a pod name (drop the last two "-" segments).</summary>
    public static string DeploymentOf(string pod)
    {
        var parts = pod.Split('-');
        return parts.Length <= 2 ? pod : string.Join('-', parts[..^2]);
    }

    /// <summary>Parses the echo-basic HTTP body; null when it is not an echo JSON document.</summary>
    public static EchoResponse? ParseHttp(string body)
    {
        JsonObject? o;
        try { o = JsonNode.Parse(body) as JsonObject; }
        catch (JsonException) { return null; }
        if (o is null) return null;
        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in o.Obj("headers") ?? [])
        {
            var values = v is JsonArray a ? a.Select(Node.AsString).Where(s => s is not null).Select(s => s!).ToList() : [Node.AsString(v) ?? ""];
            if (headers.TryGetValue(k, out var existing)) values = [.. existing, .. values];
            headers[k] = values;
        }
        return new EchoResponse
        {
            Path = o.Str("path") ?? "",
            Host = o.Str("host") ?? "",
            Method = o.Str("method") ?? "",
            Proto = o.Str("proto") ?? "",
            Headers = headers,
            Namespace = o.Str("namespace") ?? "",
            Pod = o.Str("pod") ?? "",
            Service = o.Str("service") ?? "",
            TlsServerName = o.Obj("tls").Str("serverName"),
            PeerCertificates = o.Obj("tls").StrList("peerCertificates"),
        };
    }

    /// <summary>Parses the TCP <c>TEST</c> answer or a UDP echo datagram.</summary>
    public static EchoResponse? ParseTcpOrUdp(string json)
    {
        JsonObject? o;
        try { o = JsonNode.Parse(json) as JsonObject; }
        catch (JsonException) { return null; }
        if (o is null) return null;
        return new EchoResponse
        {
            Namespace = o.Str("namespace") ?? "",
            Pod = o.Str("pod") ?? "",
            Service = o.Str("service") ?? "",
            TlsServerName = o.Obj("tls").Str("serverName"),
            IsTls = o.Has("isTLS") ? o.Bool("isTLS") : null,
            Request = o.Str("request"),
        };
    }
}
