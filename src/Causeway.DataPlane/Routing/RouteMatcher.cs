using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Routing;

/// <summary>
/// One virtual host's matches in precedence order, indexed by path: exact paths and prefixes in one compact table keyed
/// by the path (prefixes probed at each segment boundary of the request path), regexes in a list. The winner is the
/// lowest precedence index whose remaining conditions hold, so a lookup costs O(segments + candidates), not O(routes).
/// </summary>
internal sealed class RouteMatcher
{
    private const int Exact = 0;
    private const int Prefix = 1;

    private readonly CompiledMatch[] _matches;

    /// <summary>Exact paths (tag 0) and prefixes (tag 1) to their candidates.</summary>
    private readonly SpanTable<Candidate[]> _paths = new(ignoreCase: false);
    private readonly bool _hasExact;
    private readonly bool _hasPrefix;

    /// <summary>Bit n set: some exact path (prefix) key has n characters (63: 63 or more); other lengths are not probed.</summary>
    private readonly ulong _exactLengths;
    private readonly ulong _prefixLengths;
    private readonly Candidate[]? _root;
    private readonly int[] _regex;

    /// <summary>
    /// A match in precedence order, with its index, its (shared) conditions and its rule's fast-path targets: what a
    /// path key leads to, checked and returned without reading the match itself.
    /// </summary>
    private readonly record struct Candidate(int Index, MatchConditions Conditions, CompiledMatch Match, RoutePlan Plan);

    public RouteMatcher(IReadOnlyList<CompiledMatch> matches)
    {
        _matches = [.. matches];
        var exact = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var prefix = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var regex = new List<int>();
        for (var i = 0; i < _matches.Length; i++)
        {
            var ir = _matches[i].Ir;
            switch (ir.PathKind)
            {
                case PathMatchKind.Exact:
                    Add(exact, ir.PathValue, i);
                    break;
                case PathMatchKind.Prefix:
                    var p = ir.PathValue.Length > 1 ? ir.PathValue.TrimEnd('/') : ir.PathValue;
                    Add(prefix, p.Length == 0 ? "/" : p, i);
                    break;
                default:
                    regex.Add(i);
                    break;
            }
        }
        foreach (var (k, v) in exact)
        {
            _paths.TryAdd(Exact, k, Candidates(v));
            _exactLengths |= LengthBit(k.Length);
        }
        foreach (var (k, v) in prefix)
        {
            _paths.TryAdd(Prefix, k, Candidates(v));
            _prefixLengths |= LengthBit(k.Length);
        }
        _hasExact = exact.Count > 0;
        _hasPrefix = prefix.Count > 0;
        _root = _paths.TryGetValue(Prefix, "/", out var root) ? root : null;
        _regex = [.. regex];

        Candidate[] Candidates(List<int> indexes) =>
            [.. indexes.Select(i => new Candidate(i, _matches[i].Conditions, _matches[i], _matches[i].Plan))];

        static void Add(Dictionary<string, List<int>> d, string key, int index)
        {
            if (!d.TryGetValue(key, out var list)) d[key] = list = [];
            list.Add(index);
        }
    }

    /// <summary>The matches in precedence order.</summary>
    public IReadOnlyList<CompiledMatch> Matches => _matches;

    /// <summary>The distinct plans of this host's matches.</summary>
    public IEnumerable<RoutePlan> Plans => _matches.Select(m => m.Plan).Distinct();

    public CompiledMatch? Find(HttpRequest request, string path) => Find(new HttpRequestView(request), path);

    public CompiledMatch? Find<TRequest>(in TRequest request, ReadOnlySpan<char> path) where TRequest : struct, IRequestView =>
        Find(request, path, out _);

    /// <summary>The first match (in precedence order) for the request, and its rule's <see cref="CompiledMatch.Plan"/>.</summary>
    public CompiledMatch? Find<TRequest>(in TRequest request, ReadOnlySpan<char> path, out RoutePlan? plan)
        where TRequest : struct, IRequestView
    {
        var best = int.MaxValue;
        CompiledMatch? winner = null;
        plan = null;
        if (path.Length == 0) path = "/";
        if (_hasExact && HasLength(_exactLengths, path.Length) && _paths.TryGetValue(Exact, path, out var list))
            Scan(list, request, ref best, ref winner, ref plan);
        if (_hasPrefix)
        {
            if (_root is not null) Scan(_root, request, ref best, ref winner, ref plan);
            var span = path;
            for (var i = 1; i < span.Length; i++)
            {
                if (span[i] == '/' && HasLength(_prefixLengths, i) && _paths.TryGetValue(Prefix, span[..i], out list))
                    Scan(list, request, ref best, ref winner, ref plan);
            }
            if (span.Length > 1 && span[^1] != '/' && HasLength(_prefixLengths, span.Length) && _paths.TryGetValue(Prefix, span, out list))
                Scan(list, request, ref best, ref winner, ref plan);
        }
        foreach (var i in _regex)
        {
            if (i >= best) break;
            var m = _matches[i];
            if (m.PathRegex!.IsMatch(path) && m.MatchesRest(request))
            {
                winner = m;
                plan = m.Plan;
                break;
            }
        }
        return winner;
    }

    private static ulong LengthBit(int length) => 1UL << Math.Min(length, 63);

    private static bool HasLength(ulong lengths, int length) => (lengths & LengthBit(length)) != 0;

    /// <summary>The first candidate before <paramref name="best"/> whose conditions hold becomes the winner.</summary>
    private static void Scan<TRequest>(Candidate[] candidates, in TRequest request, ref int best, ref CompiledMatch? winner,
        ref RoutePlan? plan) where TRequest : struct, IRequestView
    {
        foreach (var c in candidates)
        {
            if (c.Index >= best) return;
            if (c.Conditions.Matches(request))
            {
                best = c.Index;
                winner = c.Match;
                plan = c.Plan;
                return;
            }
        }
    }
}
