using System.Text;
using Causeway.Telemetry;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Csrf;

/// <summary>
/// SecurityPolicy <c>csrf</c>, as Envoy's CSRF filter decides: a mutating request (POST, PUT, DELETE, PATCH) needs a
/// source origin — the Origin header, else the Referer's — whose host and port are the request's Host, or match one of
/// the policy's additional origins; otherwise 403 <c>Invalid origin</c> (a missing source origin too). A shadow share of
/// requests is only counted. Other methods pass untouched. Decide-only: every transport.
/// </summary>
internal sealed class CsrfStep : DecideStep
{
    private static LocalReply Denied() => new(403) { Body = Encoding.ASCII.GetBytes("Invalid origin"), ContentType = "text/plain" };

    private readonly CsrfIr _ir;
    private readonly CsrfStats _stats;
    private readonly string[] _exact;
    private readonly string[] _suffixes;
    private readonly bool _any;

    public CsrfStep(CsrfIr ir, CsrfStats stats)
    {
        _ir = ir;
        _stats = stats;
        _any = ir.AdditionalOrigins.Contains("*");
        _exact = [.. ir.AdditionalOrigins.Where(o => !o.Contains('*'))];
        _suffixes = [.. ir.AdditionalOrigins.Where(o => o.StartsWith("*.", StringComparison.Ordinal)).Select(o => o[1..])];
    }

    public override StepStage Stage => StepStage.Cors; // after the CORS step (a preflight is not mutating), before authentication

    public override TransportSet Transports => TransportSet.All;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        if (!request.MethodIs("POST") && !request.MethodIs("PUT") && !request.MethodIs("DELETE") && !request.MethodIs("PATCH"))
            return StepVerdict.Continue;
        var source = SourceOrigin(request);
        bool valid;
        if (source.IsEmpty)
        {
            _stats.MissingSource();
            valid = false;
        }
        else valid = source.Equals(HostAndPort(request.Host), StringComparison.OrdinalIgnoreCase) || Allowed(source);
        if (valid)
        {
            _stats.Valid();
            return StepVerdict.Continue;
        }
        _stats.Invalid();
        if (_ir.ShadowFraction > 0 && (_ir.ShadowFraction >= 1 || Random.Shared.NextDouble() < _ir.ShadowFraction)) return StepVerdict.Continue;
        reply = Denied();
        return StepVerdict.Reply;
    }

    /// <summary>The host and port of the Origin header, else of the Referer; empty when neither gives one.</summary>
    private static ReadOnlySpan<char> SourceOrigin<TRequest>(in TRequest request) where TRequest : struct, IRequestView
    {
        if (request.TryGetHeader("origin", out var origin) && origin.ToString() is { Length: > 0 } o && o != "null") return HostAndPort(o);
        if (request.TryGetHeader("referer", out var referer) && referer.ToString() is { Length: > 0 } r) return HostAndPort(r);
        return default;
    }

    /// <summary>The <c>host[:port]</c> of a URL (what follows <c>scheme://</c> up to the path), or the value itself when it is not one.</summary>
    internal static ReadOnlySpan<char> HostAndPort(string value)
    {
        var span = value.AsSpan().Trim();
        var scheme = span.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return span;
        span = span[(scheme + 3)..];
        var end = span.IndexOfAny('/', '?', '#');
        if (end >= 0) span = span[..end];
        var at = span.LastIndexOf('@');
        return at >= 0 ? span[(at + 1)..] : span;
    }

    private bool Allowed(ReadOnlySpan<char> source)
    {
        if (_any) return true;
        foreach (var e in _exact)
            if (source.Equals(e, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var suffix in _suffixes)
            if (source.Length > suffix.Length && source.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public override string Describe() =>
        $"csrf origins=[{string.Join(",", _ir.AdditionalOrigins)}]{(_ir.ShadowFraction > 0 ? $" shadow={_ir.ShadowFraction:0.###}" : "")}";
}

/// <summary>What a csrf policy's checks concluded (kept in the StateStore per policy): Envoy's request_valid, request_invalid, missing_source_origin.</summary>
internal sealed class CsrfStats(string policy)
{
    public const string Requests = "causeway_csrf_requests_total";
    private static readonly string[] Labels = ["policy", "result"];
    private long _valid, _invalid, _missing;

    public string Policy { get; } = policy;

    public void Valid() => Interlocked.Increment(ref _valid);
    public void Invalid() => Interlocked.Increment(ref _invalid);
    public void MissingSource() => Interlocked.Increment(ref _missing);

    public void Collect(MetricsWriter w)
    {
        long valid = Interlocked.Read(ref _valid), invalid = Interlocked.Read(ref _invalid), missing = Interlocked.Read(ref _missing);
        if (valid + invalid == 0) return;
        const string help = "Mutating requests checked by csrf policies: valid, invalid (rejected unless in the shadow share), and of those invalid, missing a source origin";
        w.Add(Requests, MetricType.Counter, help, Labels, [Policy, "valid"], valid);
        w.Add(Requests, MetricType.Counter, help, Labels, [Policy, "invalid"], invalid);
        w.Add(Requests, MetricType.Counter, help, Labels, [Policy, "missing_source_origin"], missing);
    }
}
