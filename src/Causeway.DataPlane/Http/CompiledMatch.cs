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

    public CompiledMatch(HttpMatchIr ir, CompiledRule rule, Regex? pathRegex)
    {
        Ir = ir;
        Rule = rule;
        PathRegex = pathRegex;
        _method = ir.Method;
        _headers = [.. ir.Headers.Select(h => new ValueCondition(h))];
        _query = [.. ir.QueryParams.Select(q => new ValueCondition(q))];
        MatchedPrefix = ir.PathKind == PathMatchKind.Prefix ? ir.PathValue : null;
    }

    public HttpMatchIr Ir { get; }
    public CompiledRule Rule { get; }
    public Regex? PathRegex { get; }

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
        if (_method is not null && !request.MethodIs(_method)) return false;
        foreach (var h in _headers)
        {
            if (!request.TryGetHeader(h.Name, out var values) || !h.Matches(values)) return false;
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

    private sealed class ValueCondition
    {
        private readonly string? _exact;
        private readonly Regex? _regex;

        /// <summary>Header names are looked up case-insensitively by the header dictionary; query names exactly.</summary>
        public ValueCondition(ValueMatchIr ir)
        {
            Name = ir.Name;
            if (ir.Kind == StringMatchKind.Regex) _regex = RegexFactory.FullMatch(ir.Value);
            else _exact = ir.Value;
        }

        public string Name { get; }

        public bool Matches(StringValues values)
        {
            if (values.Count == 1) return MatchesOne(values[0] ?? "");
            return MatchesOne(values.ToString());
        }

        public bool MatchesOne(string value) =>
            _regex is not null ? _regex.IsMatch(value) : string.Equals(value, _exact, StringComparison.Ordinal);
    }
}

internal static class RegexFactory
{
    public static Regex FullMatch(string pattern) =>
        new(@"\A(?:" + pattern + @")\z", RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
