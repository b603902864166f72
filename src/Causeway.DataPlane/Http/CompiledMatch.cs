using System.Text.RegularExpressions;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Http;

/// <summary>One route match with everything but the path precompiled: method, header and query conditions.</summary>
internal sealed class CompiledMatch
{
    private readonly string? _method;
    private readonly ValueCondition[] _headers;
    private readonly ValueCondition[] _query;
    private readonly bool _unconditional;

    /// <param name="share">Where identical conditions and strings of the same compile are shared (null: own copies).</param>
    public CompiledMatch(HttpMatchIr ir, CompiledRule rule, Regex? pathRegex, CompileShare? share = null)
    {
        Ir = ir;
        Rule = rule;
        PathRegex = pathRegex;
        _method = ir.Method is null ? null : share?.Text(ir.Method) ?? ir.Method;
        _headers = share?.Conditions(ir.Headers) ?? [.. ir.Headers.Select(h => new ValueCondition(h))];
        _query = share?.Conditions(ir.QueryParams) ?? [.. ir.QueryParams.Select(q => new ValueCondition(q))];
        _unconditional = _method is null && _headers.Length == 0 && _query.Length == 0;
        MatchedPrefix = ir.PathKind == PathMatchKind.Prefix ? ir.PathValue : null;
        FastTargets = rule.FastTargets;
    }

    public HttpMatchIr Ir { get; }
    public CompiledRule Rule { get; }
    public Regex? PathRegex { get; }

    /// <summary>The rule's <see cref="CompiledRule.FastTargets"/>, kept here so the fast path reads one object less.</summary>
    public FastPath.FastTarget[]? FastTargets { get; }

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
    public bool MatchesRest<TRequest>(in TRequest request) where TRequest : struct, IRequestView
    {
        if (_unconditional) return true;
        if (_method is not null && !request.MethodIs(_method)) return false;
        foreach (var h in _headers)
        {
            if (!h.MatchesHeader(request)) return false;
        }
        if (_query.Length > 0)
        {
            var query = request.Query;
            foreach (var q in _query)
            {
                if (query is null || FirstQueryValue(query, q.Name) is not { } value || !q.MatchesOne(value)) return false;
            }
        }
        return true;
    }

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

internal static class RegexFactory
{
    public static Regex FullMatch(string pattern) =>
        new(@"\A(?:" + pattern + @")\z", RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
