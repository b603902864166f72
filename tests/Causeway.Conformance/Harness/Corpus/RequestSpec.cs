using System.Text.Json.Nodes;

namespace Causeway.Conformance.Harness.Corpus;

/// <summary>A reference to trust material: a Secret's tls.crt or a ConfigMap's ca.crt ("ns/name").</summary>
public sealed record CertRef(string? Secret, string? ConfigMap)
{
    public static CertRef? Parse(JsonNode? n) =>
        n is JsonObject o && (o.Str("secret") is not null || o.Str("configMap") is not null) ? new CertRef(o.Str("secret"), o.Str("configMap")) : null;
}

public sealed record RequestSpec
{
    public string Scheme { get; init; } = "http";
    public string Method { get; init; } = "GET";
    public string? Host { get; init; }
    public string Path { get; init; } = "/";
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public int? Port { get; init; }
    public string? Protocol { get; init; }
    public string? Sni { get; init; }
    public CertRef? CaCert { get; init; }
    public CertRef? ClientCert { get; init; }
    public bool FollowRedirects { get; init; } = true;
    public IReadOnlyList<KeyValuePair<string, string>> BackendSetResponseHeaders { get; init; } = [];
    public bool RequestId { get; init; }
    public string? Origin { get; init; }
    public string? GrpcService { get; init; }
    public string? Authority { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; } = [];
    public string? Exchange { get; init; }
    public string? Payload { get; init; }
    public string? DnsQuestion { get; init; }
    public string? DnsType { get; init; }

    public string Describe() => Scheme switch
    {
        "grpc" => $"grpc {GrpcService}/{Method}" + (Authority is null ? "" : $" authority={Authority}") + (Metadata.Count == 0 ? "" : " metadata={" + string.Join(",", Metadata.Select(kv => $"{kv.Key}:{kv.Value}")) + "}"),
        "tcp" or "tls" => $"{Scheme}" + (Sni is null ? "" : $" sni={Sni}") + (Exchange is null ? "" : $" exchange={Exchange}"),
        "udp" => DnsQuestion is not null ? $"udp dns {DnsType} {DnsQuestion}" : $"udp payload={Payload?.Trim()}",
        _ => $"{Scheme} {Method} {Host ?? "<gateway>"}{Path}" + (Port is null ? "" : $" port={Port}") + (Protocol is null ? "" : $" {Protocol}")
            + (Headers.Count == 0 ? "" : " headers={" + string.Join(",", Headers.Select(kv => $"{kv.Key}:{kv.Value}")) + "}"),
    };

    public static RequestSpec Parse(JsonObject o) => new()
    {
        Scheme = o.Str("scheme") ?? "http",
        Method = o.Str("method") ?? (o.Str("scheme") == "grpc" ? "Echo" : "GET"),
        Host = o.Str("host"),
        Path = o.Str("path") ?? "/",
        Headers = o.StrMap("headers"),
        Port = o.Long("port") is { } p ? (int)p : null,
        Protocol = o.Str("protocol"),
        Sni = o.Str("sni"),
        CaCert = CertRef.Parse(o["caCert"]),
        ClientCert = CertRef.Parse(o["clientCert"]),
        FollowRedirects = !o.Has("followRedirects") || o.Bool("followRedirects"),
        BackendSetResponseHeaders = o.StrMap("backendSetResponseHeaders"),
        RequestId = o.Bool("requestId"),
        Origin = o.Str("origin"),
        GrpcService = o.Str("service"),
        Authority = o.Str("authority"),
        Metadata = o.StrMap("metadata"),
        Exchange = o.Str("exchange"),
        Payload = o.Str("payload"),
        DnsQuestion = o.Obj("dns").Str("question"),
        DnsType = o.Obj("dns").Str("type"),
    };
}

/// <summary>What the client must observe.</summary>
public sealed record ResponseSpec
{
    public IReadOnlyList<int> Status { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> HeaderOneOf { get; init; } = [];
    public bool IgnoreWhitespace { get; init; }
    public IReadOnlyList<string> AbsentHeaders { get; init; } = [];
    public bool Failure { get; init; }
    public bool ConnectionError { get; init; }
    public bool ConnectionRejected { get; init; }
    public string? Code { get; init; }
    public bool? BackendIsTls { get; init; }
    public string? BackendSni { get; init; }
    public bool Connected { get; init; }
    public bool PodNonEmpty { get; init; }
    public string? Service { get; init; }
    public bool AnyReply { get; init; }
    public bool DnsAnswer { get; init; }
    public bool Echo { get; init; }

    public static ResponseSpec Parse(JsonObject? o)
    {
        if (o is null) return new();
        var status = new List<int>();
        switch (o["status"])
        {
            case JsonArray a: status.AddRange(a.Select(x => (int)(x?.GetValue<long>() ?? 0))); break;
            case JsonValue: status.Add((int)(o.Long("status") ?? 0)); break;
        }
        var oneOf = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        foreach (var (k, _) in o.Obj("headerOneOf") ?? [])
            oneOf.Add(new(k, o.Obj("headerOneOf").StrList(k)));
        return new ResponseSpec
        {
            Status = status,
            Headers = o.StrMap("headers"),
            HeaderOneOf = oneOf,
            IgnoreWhitespace = o.Bool("ignoreWhitespace"),
            AbsentHeaders = o.StrList("absentHeaders"),
            Failure = o.Bool("failure"),
            ConnectionError = o.Bool("connectionError"),
            ConnectionRejected = o.Bool("connectionRejected"),
            Code = o.Str("code"),
            BackendIsTls = o.Has("backendIsTLS") ? o.Bool("backendIsTLS") : null,
            BackendSni = o.Str("backendSNI"),
            Connected = o.Bool("connected"),
            PodNonEmpty = o.Bool("podNonEmpty"),
            Service = o.Str("service"),
            AnyReply = o.Bool("anyReply"),
            DnsAnswer = o.Bool("dnsAnswer"),
            Echo = o.Bool("echo"),
        };
    }
}
