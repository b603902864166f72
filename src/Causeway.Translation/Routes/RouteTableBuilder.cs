using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>
/// Orders a listener's matches by the Gateway API precedence and groups them by hostname. A concrete or wildcard host
/// group also carries the matches of the broader patterns that cover it, after its own, so a request falls through to
/// a wildcard or catch-all route when no route of its exact host matches.
/// </summary>
internal static class RouteTableBuilder
{
    public static HttpRouteTableIr Build(IReadOnlyList<(CompiledMatch Match, string Hostname)> entries)
    {
        var byPattern = new Dictionary<string, List<CompiledMatch>>(StringComparer.Ordinal);
        foreach (var (match, host) in entries)
        {
            if (!byPattern.TryGetValue(host, out var list)) byPattern[host] = list = [];
            list.Add(match);
        }
        foreach (var list in byPattern.Values) list.Sort(Precedence.Instance);
        var patterns = new List<string>(byPattern.Keys);
        patterns.Sort(static (a, b) =>
        {
            var c = Hostnames.Specificity(b).CompareTo(Hostnames.Specificity(a));
            return c != 0 ? c : string.CompareOrdinal(a, b);
        });
        // Wildcards and the catch-all are few; a host's group is its own matches, then those of every broader pattern.
        var broad = patterns.FindAll(h => h.StartsWith('*'));
        var hosts = new List<VirtualHostIr>(byPattern.Count);
        var matches = new List<HttpMatchIr>();
        foreach (var host in patterns)
        {
            var own = byPattern[host];
            matches.Clear();
            foreach (var m in own) matches.Add(m.Match);
            foreach (var pattern in broad)
            {
                if (pattern == host || !Hostnames.Covers(pattern, host)) continue;
                foreach (var m in byPattern[pattern]) matches.Add(m.Match);
            }
            hosts.Add(new VirtualHostIr { Hostname = host, Matches = new(ImmutableArray.Create(CollectionsMarshal.AsSpan(matches))) });
        }
        return new HttpRouteTableIr { VirtualHosts = new(hosts) };
    }

    /// <summary>Exact path, then regex, then longest prefix; method; most headers; most query params; oldest route; name; rule order.</summary>
    private sealed class Precedence : IComparer<CompiledMatch>
    {
        public static readonly Precedence Instance = new();

        public int Compare(CompiledMatch? x, CompiledMatch? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return 1;
            if (y is null) return -1;
            var a = x.Match;
            var b = y.Match;
            var c = Rank(a.PathKind).CompareTo(Rank(b.PathKind));
            if (c != 0) return c;
            c = b.PathValue.Length.CompareTo(a.PathValue.Length);
            if (c != 0) return c;
            c = (b.Method is not null).CompareTo(a.Method is not null);
            if (c != 0) return c;
            c = b.Headers.Count.CompareTo(a.Headers.Count);
            if (c != 0) return c;
            c = b.QueryParams.Count.CompareTo(a.QueryParams.Count);
            if (c != 0) return c;
            c = (x.Route.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue).CompareTo(y.Route.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue);
            if (c != 0) return c;
            c = string.CompareOrdinal(x.Route.Namespace, y.Route.Namespace);
            if (c != 0) return c;
            c = string.CompareOrdinal(x.Route.Name, y.Route.Name);
            if (c != 0) return c;
            c = x.RuleIndex.CompareTo(y.RuleIndex);
            return c != 0 ? c : x.MatchIndex.CompareTo(y.MatchIndex);
        }

        private static int Rank(PathMatchKind k) => k switch { PathMatchKind.Exact => 0, PathMatchKind.Regex => 1, _ => 2 };
    }
}
