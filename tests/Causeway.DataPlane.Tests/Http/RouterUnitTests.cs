using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class RouterUnitTests
{
    private static RouteMatcher Build(IEnumerable<HttpMatchIr> matches)
    {
        var rules = new Dictionary<HttpRuleIr, CompiledRule>(ReferenceEqualityComparer.Instance);
        var compiled = matches.Select(m =>
        {
            if (!rules.TryGetValue(m.Rule, out var rule)) rules[m.Rule] = rule = new CompiledRule(m.Rule, _ => null);
            return new CompiledMatch(m, rule, m.PathKind == PathMatchKind.Regex ? RouteRegex.FullMatch(m.PathValue) : null);
        }).ToList();
        return new RouteMatcher(compiled);
    }

    private static IEnumerable<HttpMatchIr> ManyRoutes(int n)
    {
        for (var i = 0; i < n; i++)
        {
            yield return Exact($"/svc{i}/exact", To("b", $"exact{i}"));
            yield return Prefix($"/svc{i}/api", To("b", $"api{i}"));
            yield return Prefix($"/svc{i}", To("b", $"svc{i}"));
        }
        yield return Prefix("/", To("b", "root"));
    }

    private static HttpRequest Request(string path)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = "GET";
        ctx.Request.Path = path;
        ctx.Request.Headers["x-a"] = "1";
        return ctx.Request;
    }

    [Fact]
    public void Large_table_finds_the_right_rule()
    {
        // Speed (build and lookup, 10 / 1,000 / 10,000 routes) is measured in bench/Causeway.Benchmarks (RouterBenchmark).
        var matcher = Build(ManyRoutes(10_000));
        foreach (var (path, rule) in new[]
        {
            ("/svc3333/api/v1/items", "api3333"),
            ("/svc3333/exact", "exact3333"),
            ("/svc3333/exact/more", "svc3333"),
            ("/svc3333x", "root"),
            ("/svc9999", "svc9999"),
        })
        {
            Assert.Equal(rule, matcher.Find(Request(path), path)!.Rule.Name);
        }
    }

    [Fact]
    public void Lookups_allocate_nothing()
    {
        var large = Build(ManyRoutes(10_000));
        const string path = "/svc5/api/v1/items/42";
        var request = Request(path);
        Assert.Equal("api5", large.Find(request, path)!.Rule.Name);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) large.Find(request, path);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var hosts = new HostMap<string>();
        hosts.Add("a.example.com", "a");
        hosts.Add("*.example.com", "w");
        hosts.Add("*", "any");
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) hosts.Find("x.y.example.com");
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Earlier_precedence_wins_across_exact_prefix_and_regex()
    {
        var matcher = Build([
            Regex("/a/.*", To("b", "regex-first")),
            Exact("/a/b", To("b", "exact")),
            Prefix("/a", To("b", "prefix")),
        ]);
        Assert.Equal("regex-first", matcher.Find(Request("/a/b"), "/a/b")!.Rule.Name);
        Assert.Equal("prefix", matcher.Find(Request("/a"), "/a")!.Rule.Name);
    }

    [Theory]
    [InlineData("a.example.com", "a")]
    [InlineData("b.example.com", "w")]
    [InlineData("deep.b.example.com", "w2")]
    [InlineData("example.com", "any")]
    [InlineData("a.example.com.", "a")]
    public void Host_map_precedence(string host, string expected)
    {
        var hosts = new HostMap<string>();
        hosts.Add("a.example.com", "a");
        hosts.Add("*.example.com", "w");
        hosts.Add("*.b.example.com", "w2");
        hosts.Add(null, "any");
        Assert.Equal(expected, hosts.Find(host));
    }

    [Theory]
    [InlineData("example.com:8080", "example.com")]
    [InlineData("[::1]:8080", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("plain", "plain")]
    public void Strip_port(string host, string expected) => Assert.Equal(expected, HostMap<object>.StripPort(host).ToString());

    [Theory]
    [InlineData("a=1&b=2", "b", "2")]
    [InlineData("?a=1&a=2", "a", "1")]
    [InlineData("?A=1", "a", null)]
    [InlineData("?x%20y=a%2Fb", "x y", "a/b")]
    [InlineData("?flag", "flag", "")]
    public void Query_first_value_exact_name(string query, string name, string? expected) =>
        Assert.Equal(expected, CompiledMatch.FirstQueryValue(query, name));
}
