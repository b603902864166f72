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
    private readonly Dictionary<string, int[]> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]> _prefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _prefixLookup;
    private readonly int[] _regex;

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
        foreach (var (k, v) in exact) _exact[k] = [.. v];
        foreach (var (k, v) in prefix) _prefix[k] = [.. v];
        _regex = [.. regex];
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixLookup = _prefix.GetAlternateLookup<ReadOnlySpan<char>>();

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
        if (_exact.Count > 0 && _exactLookup.TryGetValue(path, out var list)) best = Scan(list, request, best);
        if (_prefix.Count > 0)
        {
            if (_prefixLookup.TryGetValue("/", out list)) best = Scan(list, request, best);
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

    private int Scan<TRequest>(int[] candidates, in TRequest request, int best) where TRequest : struct, IRequestView
    {
        foreach (var i in candidates)
        {
            if (i >= best) return best;
            if (_matches[i].MatchesRest(request)) return i;
        }
        return best;
    }
}
