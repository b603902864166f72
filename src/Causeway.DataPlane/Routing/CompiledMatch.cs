using System.Text.RegularExpressions;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Routing;

/// <summary>One route match with everything but the path precompiled: method, header and query conditions, its rule.</summary>
internal sealed class CompiledMatch
{
    /// <param name="share">Where identical conditions of the same compile are shared (null: its own).</param>
    /// <param name="stats">The statistics of the rule on this match's listener (null: unrecorded, as in unit tests).</param>
    public CompiledMatch(HttpMatchIr ir, CompiledRule rule, Regex? pathRegex, CompileShare? share = null, RouteStats? stats = null)
    {
        Stats = stats ?? new RouteStats("", "", rule.Name);
        TargetCounters = [.. rule.Plan.Targets.Select(t => Stats.Backend(t.Backend?.Id ?? ""))];
        Ir = ir;
        Rule = rule;
        PathRegex = pathRegex;
        Conditions = share?.Conditions(ir) ?? new MatchConditions(ir);
        MatchedPrefix = ir.PathKind == PathMatchKind.Prefix ? ir.PathValue : null;
        Plan = rule.Plan;
    }

    /// <summary>Method, header and query conditions (shared between matches that require the same).</summary>
    public MatchConditions Conditions { get; }

    public HttpMatchIr Ir { get; }
    public CompiledRule Rule { get; }
    public Regex? PathRegex { get; }

    /// <summary>Where this route's requests are counted (per gateway, listener and rule).</summary>
    public RouteStats Stats { get; }

    /// <summary>Per plan target (same index), the counters of its backend in <see cref="Stats"/>.</summary>
    public CounterTable[] TargetCounters { get; }

    /// <summary>The rule's <see cref="CompiledRule.Plan"/>, kept here so a transport reads one object less.</summary>
    public RoutePlan Plan { get; }

    /// <summary>The prefix this match matched on (Prefix matches), for ReplacePrefixMatch.</summary>
    public string? MatchedPrefix { get; }

    private ProxyTransformer[]? _transformers;

    /// <summary>
    /// One transformer per rule target (same index as <see cref="CompiledRule.Targets"/>). Made on first use: with
    /// 10,000 routes most matches may never be taken, and the transformers were ~2 MB of the compiled tables.
    /// Transformers are stateless, so two threads racing here may both build them; one array wins.
    /// </summary>
    public ProxyTransformer[] Transformers => Volatile.Read(ref _transformers) ?? CreateTransformers();

    private ProxyTransformer[] CreateTransformers()
    {
        ProxyTransformer[] created = [.. Rule.Targets.Select(t => new ProxyTransformer(this, t))];
        return Interlocked.CompareExchange(ref _transformers, created, null) ?? created;
    }

    /// <summary>Method, headers and query: everything but the path, which the index already checked.</summary>
    public bool MatchesRest<TRequest>(in TRequest request) where TRequest : struct, IRequestView => Conditions.Matches(request);

    /// <summary>The first value of a query parameter, names compared exactly (case-sensitive), values decoded.</summary>
    internal static string? FirstQueryValue(string query, string name)
    {
        var span = query.AsSpan();
        if (span.Length > 0 && span[0] == '?') span = span[1..];
        while (span.Length > 0)
        {
            var amp = span.IndexOf('&');
            var pair = amp < 0 ? span : span[..amp];
            span = amp < 0 ? default : span[(amp + 1)..];
            var eq = pair.IndexOf('=');
            var rawName = eq < 0 ? pair : pair[..eq];
            var rawValue = eq < 0 ? default : pair[(eq + 1)..];
            if (rawName.SequenceEqual(name) || (NeedsDecoding(rawName) && Decode(rawName) == name))
                return NeedsDecoding(rawValue) ? Decode(rawValue) : rawValue.ToString();
        }
        return null;
    }

    private static bool NeedsDecoding(ReadOnlySpan<char> s) => s.IndexOfAny('%', '+') >= 0;

    private static string Decode(ReadOnlySpan<char> s) => Uri.UnescapeDataString(s.ToString().Replace('+', ' '));
}
