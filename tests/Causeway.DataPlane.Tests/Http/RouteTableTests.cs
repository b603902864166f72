using System.Text;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>
/// The compact route tables (<see cref="SpanTable{T}"/> under <see cref="HostMap{T}"/> and <see cref="RouteMatcher"/>),
/// the conditions and fast targets a compile shares (<see cref="CompileShare"/>), and the fast path's header check.
/// </summary>
public sealed class RouteTableTests
{
    [Fact]
    public void Span_table_finds_every_key_and_nothing_else()
    {
        var table = new SpanTable<string>(ignoreCase: false);
        for (var i = 0; i < 10_000; i++) Assert.True(table.TryAdd(i % 2, $"/k{i}", $"v{i}"));
        Assert.Equal(10_000, table.Count);
        Assert.False(table.TryAdd(0, "/k0", "again")); // the first value wins
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(table.TryGetValue(i % 2, $"/k{i}", out var v));
            Assert.Equal($"v{i}", v);
            Assert.False(table.TryGetValue(1 - (i % 2), $"/k{i}", out _)); // tags keep kinds apart
        }
        Assert.False(table.TryGetValue(0, "/K0", out _)); // ordinal
        Assert.False(table.TryGetValue(0, "/k", out _));
        Assert.False(table.TryGetValue(0, "", out _));
    }

    [Fact]
    public void Span_table_ignoring_case_is_ordinal_ignore_case()
    {
        var table = new SpanTable<string>(ignoreCase: true);
        Assert.True(table.TryAdd(0, "Example.COM", "ascii"));
        Assert.True(table.TryAdd(0, "ÉCOLE.fr", "non-ascii"));
        Assert.False(table.TryAdd(0, "example.com", "second"));
        Assert.True(table.TryGetValue(0, "EXAMPLE.com", out var v));
        Assert.Equal("ascii", v);
        Assert.True(table.TryGetValue(0, "école.FR", out v));
        Assert.Equal("non-ascii", v);
        Assert.False(table.TryGetValue(0, "example.co", out _));
        Assert.False(table.TryGetValue(0, "ecole.fr", out _)); // no folding of accents, as OrdinalIgnoreCase
    }

    [Fact]
    public void Host_map_is_case_insensitive_and_the_first_entry_wins()
    {
        var hosts = new HostMap<string>();
        hosts.Add("h1.bench", "first");
        hosts.Add("H1.Bench", "second");
        hosts.Add("*.Bench", "wildcard");
        hosts.Add("*.bench", "wildcard-second");
        Assert.Equal(2, hosts.Count);
        Assert.Equal("first", hosts.Find("H1.BENCH"));
        Assert.Equal("wildcard", hosts.Find("h2.bench"));
        Assert.Null(hosts.Find("bench"));
    }

    [Theory]
    [InlineData("/a", "short")]
    [InlineData("/a/x", "short")]
    [InlineData("/" + Long, "long")]
    [InlineData("/" + Long + "/more", "long")]
    [InlineData("/" + Long + "x", "root")]
    [InlineData("/exact/" + Long, "exact-long")]
    [InlineData("/exact/" + Long + "/", "root")]
    [InlineData("/b", "root")]
    public void Paths_of_every_length_are_found(string path, string rule)
    {
        var matcher = Build([
            Prefix("/a", To("b", "short")),
            Prefix("/" + Long, To("b", "long")),
            Exact("/exact/" + Long, To("b", "exact-long")),
            Prefix("/", To("b", "root")),
        ]);
        Assert.Equal(rule, matcher.Find(Request(path), path)!.Rule.Name);
    }

    private const string Long = "a-path-segment-that-is-longer-than-sixty-four-characters-for-the-length-filter";

    [Fact]
    public void A_compile_shares_equal_conditions_and_unedited_targets()
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        var backend = new BackendRuntime(Backend("b", 1), invoker, TimeSpan.FromSeconds(5)) { FastEndpoints = [] };
        var share = new CompileShare();
        var canary = new ValueMatchIr("x-variant", StringMatchKind.Exact, "canary");
        var edited = Rule("edited", ("b", 1)) with
        {
            Filters = new[]
            {
                new HttpFilterIr { RequestHeaders = new HeaderModifierIr { Set = new[] { new KeyValuePair<string, string>("x-edit", "1") } } },
            },
        };
        var rules = new[] { To("b", "r1"), To("b", "r2"), edited };
        var compiled = rules.Select(r => new CompiledRule(r, _ => backend, share)).ToArray();
        Assert.Same(compiled[0].Targets, compiled[1].Targets);
        Assert.True(compiled[2].Plan.Allows(TransportSet.EventLoop));
        Assert.NotSame(compiled[0].Targets, compiled[2].Targets);

        CompiledMatch Match(HttpRuleIr rule, CompiledRule c, params ValueMatchIr[] headers) =>
            new(Prefix("/p", rule) with { Headers = headers }, c, null, share);
        var a = Match(rules[0], compiled[0], canary);
        var b = Match(rules[1], compiled[1], canary);
        var other = Match(rules[1], compiled[1], canary with { Value = "stable" });
        var none = Match(rules[1], compiled[1]);
        Assert.Same(a.Conditions, b.Conditions);
        Assert.NotSame(a.Conditions, other.Conditions);
        Assert.True(none.Conditions.IsEmpty);
        Assert.Same(compiled[0].Plan, a.Plan);
    }

    [Fact]
    public void Fast_path_header_conditions_compare_in_place_and_allocate_nothing()
    {
        var matcher = Build([
            Prefix("/p3", To("b", "canary")) with { Headers = new[] { new ValueMatchIr("x-variant", StringMatchKind.Exact, "canary") } },
            Prefix("/p3", To("b", "plain")),
        ]);
        var (canaryHead, canaryBuffer) = Parse("GET /p3/item HTTP/1.1\r\nHost: h1.bench\r\nX-Variant: canary\r\n\r\n");
        var (otherHead, otherBuffer) = Parse("GET /p3/item HTTP/1.1\r\nHost: h1.bench\r\nx-variant: canary2\r\n\r\n");
        var (plainHead, plainBuffer) = Parse("GET /p3/item HTTP/1.1\r\nHost: h1.bench\r\n\r\n");
        Assert.True(new Http1RequestView(canaryHead, canaryBuffer).HeaderEquals("x-variant", "canary"));
        Assert.False(new Http1RequestView(otherHead, otherBuffer).HeaderEquals("x-variant", "canary"));
        Assert.False(new Http1RequestView(plainHead, plainBuffer).HeaderEquals("x-variant", "canary"));
        Assert.False(new Http1RequestView(canaryHead, canaryBuffer).HeaderEquals("x-variant", "canarý"));

        var canary = matcher.Find(new Http1RequestView(canaryHead, canaryBuffer), "/p3/item", out var plan)!;
        Assert.Equal("canary", canary.Rule.Name);
        Assert.Same(canary.Plan, plan); // the plan comes with the match, read from the candidate
        Assert.Equal("plain", matcher.Find(new Http1RequestView(otherHead, otherBuffer), "/p3/item")!.Rule.Name);
        Assert.Equal("plain", matcher.Find(new Http1RequestView(plainHead, plainBuffer), "/p3/item")!.Rule.Name);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) matcher.Find(new Http1RequestView(canaryHead, canaryBuffer), "/p3/item");
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Kestrel_header_conditions_see_several_values_joined()
    {
        var matcher = Build([
            Prefix("/", To("b", "joined")) with { Headers = new[] { new ValueMatchIr("x-v", StringMatchKind.Exact, "a,b") } },
            Prefix("/", To("b", "plain")),
        ]);
        var request = Request("/x");
        request.Headers["X-V"] = new Microsoft.Extensions.Primitives.StringValues(["a", "b"]);
        Assert.Equal("joined", matcher.Find(request, "/x")!.Rule.Name);
        request.Headers["x-v"] = "a";
        Assert.Equal("plain", matcher.Find(request, "/x")!.Rule.Name);
    }

    private static (Http1RequestHead Head, byte[] Buffer) Parse(string text)
    {
        var buffer = Encoding.ASCII.GetBytes(text);
        var head = new Http1RequestHead();
        Assert.Equal(HeadStatus.Ok, head.Parse(buffer, 8192));
        return (head, buffer);
    }

    private static RouteMatcher Build(IEnumerable<HttpMatchIr> matches)
    {
        var share = new CompileShare();
        var rules = new Dictionary<HttpRuleIr, CompiledRule>(ReferenceEqualityComparer.Instance);
        return new RouteMatcher([.. matches.Select(m =>
        {
            if (!rules.TryGetValue(m.Rule, out var rule)) rules[m.Rule] = rule = new CompiledRule(m.Rule, _ => null, share);
            return new CompiledMatch(m, rule, null, share);
        })]);
    }

    private static HttpRequest Request(string path)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = "GET";
        ctx.Request.Path = path;
        return ctx.Request;
    }
}
