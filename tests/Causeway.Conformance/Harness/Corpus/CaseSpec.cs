using System.Text.Json.Nodes;

namespace Causeway.Conformance.Harness.Corpus;

/// <summary>A request case: what to send and what must be observed.</summary>
public sealed record CaseSpec
{
    public required RequestSpec Request { get; init; }
    public ResponseSpec Response { get; init; } = new();
    public string? Backend { get; init; }
    public string? Namespace { get; init; }
    public BackendRequestSpec? BackendRequest { get; init; }
    public bool NotForwarded { get; init; }
    public RedirectSpec? Redirect { get; init; }
    public IReadOnlyList<MirrorTarget> MirroredTo { get; init; } = [];
    public MirrorDistributionSpec? MirrorDistribution { get; init; }
    public WeightsSpec? Weights { get; init; }
    public int? Repeat { get; init; }
    public string? BackendMatch { get; init; }
    public IReadOnlyList<WebSocketMessage> WebSocketMessages { get; init; } = [];

    public static CaseSpec Parse(JsonObject o)
    {
        var mirrors = new List<MirrorTarget>();
        foreach (var m in o.Arr("mirroredTo") ?? [])
            if (m is JsonObject mo)
                mirrors.Add(new MirrorTarget(mo.Str("name") ?? "", mo.Str("namespace") ?? "", mo.Double("percent")));
        var messages = new List<WebSocketMessage>();
        foreach (var m in o.Obj("websocket").Arr("messages") ?? [])
        {
            if (m.Str("text") is { } text) messages.Add(new WebSocketMessage(false, System.Text.Encoding.UTF8.GetBytes(text)));
            else if (m.Arr("binary") is { } bin) messages.Add(new WebSocketMessage(true, [.. bin.Select(b => (byte)(b?.GetValue<long>() ?? 0))]));
        }
        return new CaseSpec
        {
            Request = RequestSpec.Parse(o.Obj("request") ?? []),
            Response = ResponseSpec.Parse(o.Obj("response")),
            Backend = o.Str("backend"),
            Namespace = o.Str("namespace"),
            BackendRequest = o.Obj("backendRequest") is { } br ? BackendRequestSpec.Parse(br) : null,
            NotForwarded = o.Bool("notForwarded"),
            Redirect = o.Obj("redirect") is { } r ? new RedirectSpec(r.Str("scheme"), r.Str("host"), r.Str("port"), r.Str("path")) : null,
            MirroredTo = mirrors,
            MirrorDistribution = o.Obj("mirrorDistribution") is { } md
                ? new MirrorDistributionSpec((int)(md.Long("requests") ?? 500), (int)(md.Long("concurrency") ?? 10), md.Double("toleranceStdDevs") ?? 3.0, (int)(md.Long("attempts") ?? 5))
                : null,
            Weights = o.Obj("weights") is { } w ? WeightsSpec.Parse(w) : null,
            Repeat = o.Long("repeat") is { } rep ? (int)rep : null,
            BackendMatch = o.Str("backendMatch"),
            WebSocketMessages = messages,
        };
    }
}

public sealed record WebSocketMessage(bool Binary, byte[] Data);

public sealed record MirrorTarget(string Name, string Namespace, double? Percent);

public sealed record MirrorDistributionSpec(int Requests, int Concurrency, double ToleranceStdDevs, int Attempts);

public sealed record RedirectSpec(string? Scheme, string? Host, string? Port, string? Path);

public sealed record WeightsSpec(IReadOnlyList<KeyValuePair<string, double>> Distribution, int Requests, int Concurrency, double Tolerance, int Attempts, string? Entropy)
{
    public static WeightsSpec Parse(JsonObject w)
    {
        var dist = new List<KeyValuePair<string, double>>();
        foreach (var (k, _) in w.Obj("distribution") ?? [])
            dist.Add(new(k, w.Obj("distribution").Double(k) ?? 0));
        return new WeightsSpec(dist, (int)(w.Long("requests") ?? 500), (int)(w.Long("concurrency") ?? 10),
            w.Double("tolerance") ?? 0.05, (int)(w.Long("attempts") ?? 10), w.Str("entropy"));
    }
}

/// <summary>What the backend must have received (from the echo JSON).</summary>
public sealed record BackendRequestSpec
{
    public string? Method { get; init; }
    public string? Path { get; init; }
    public string? Host { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public IReadOnlyList<string> AbsentHeaders { get; init; } = [];
    public string? Sni { get; init; }
    public string? ClientCertSecret { get; init; }
    public string? FullyQualifiedMethod { get; init; }
    public string? PodPrefixFromHeader { get; init; }

    public static BackendRequestSpec Parse(JsonObject o) => new()
    {
        Method = o.Str("method"),
        Path = o.Str("path"),
        Host = o.Str("host"),
        Headers = o.StrMap("headers"),
        AbsentHeaders = o.StrList("absentHeaders"),
        Sni = o.Str("sni"),
        ClientCertSecret = o.Obj("clientCert").Str("secret"),
        FullyQualifiedMethod = o.Str("fullyQualifiedMethod"),
        PodPrefixFromHeader = o.Str("podPrefixFromHeader"),
    };
}
