using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Http;

/// <summary>
/// One virtual host's matches in precedence order, indexed by path: exact paths and prefixes in dictionaries keyed
/// by the path (prefixes probed at each segment boundary of the request path), regexes in a list. The winner is the
/// lowest precedence index whose remaining conditions hold, so a lookup costs O(segments + candidates), not O(routes).
/// </summary>
internal sealed class RouteMatcher
{
    private readonly CompiledMatch[] _matches;
    private readonly Dictionary<string, Candidate[]> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Candidate[]> _prefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Candidate[]>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly Dictionary<string, Candidate[]>.AlternateLookup<ReadOnlySpan<char>> _prefixLookup;
    private readonly bool _hasExact;
    private readonly bool _hasPrefix;
    private readonly Candidate[]? _root;
    private readonly int[] _regex;

    /// <summary>A match in precedence order, with its index: what a path key leads to, read without a further lookup.</summary>
    private readonly record struct Candidate(int Index, CompiledMatch Match);

    /// <param name="share">
    /// Where the path keys of the same compile are shared: the keys a lookup compares then live together (and, for
    /// paths many hosts have, once), instead of wherever the manifests' strings were allocated.
    /// </param>
    public RouteMatcher(IReadOnlyList<CompiledMatch> matches, CompileShare? share = null)
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
        foreach (var (k, v) in exact) _exact[Key(k)] = [.. v.Select(i => new Candidate(i, _matches[i]))];
        foreach (var (k, v) in prefix) _prefix[Key(k)] = [.. v.Select(i => new Candidate(i, _matches[i]))];
        _hasExact = _exact.Count > 0;
        _hasPrefix = _prefix.Count > 0;
        _root = _prefix.GetValueOrDefault("/");
        _regex = [.. regex];
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixLookup = _prefix.GetAlternateLookup<ReadOnlySpan<char>>();

        string Key(string k) => share?.Text(k) ?? k;

        static void Add(Dictionary<string, List<int>> d, string key, int index)
        {
            if (!d.TryGetValue(key, out var list)) d[key] = list = [];
            list.Add(index);
        }
    }

    public CompiledMatch? Find(HttpRequest request, string path) => Find(new HttpRequestView(request), path);

    public CompiledMatch? Find<TRequest>(in TRequest request, ReadOnlySpan<char> path) where TRequest : struct, IRequestView
    {
        var best = int.MaxValue;
        if (path.Length == 0) path = "/";
        if (_hasExact && _exactLookup.TryGetValue(path, out var list)) best = Scan(list, request, best);
        if (_hasPrefix)
        {
            if (_root is not null) best = Scan(_root, request, best);
            var span = path;
            for (var i = 1; i < span.Length; i++)
            {
                if (span[i] == '/' && _prefixLookup.TryGetValue(span[..i], out list)) best = Scan(list, request, best);
            }
            if (span.Length > 1 && span[^1] != '/' && _prefixLookup.TryGetValue(span, out list)) best = Scan(list, request, best);
        }
        foreach (var i in _regex)
        {
            if (i >= best) break;
            var m = _matches[i];
            if (m.PathRegex!.IsMatch(path) && m.MatchesRest(request))
            {
                best = i;
                break;
            }
        }
        return best == int.MaxValue ? null : _matches[best];
    }

    private static int Scan<TRequest>(Candidate[] candidates, in TRequest request, int best) where TRequest : struct, IRequestView
    {
        foreach (var (i, match) in candidates)
        {
            if (i >= best) return best;
            if (match.MatchesRest(request)) return i;
        }
        return best;
    }
}
