using BenchmarkDotNet.Attributes;
using Causeway.DataPlane.Compile;
using Causeway.DataPlane.Filters;
using Causeway.DataPlane.Routing;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.Benchmarks;

/// <summary>
/// The data plane's route lookup as bench/run.sh's route scenario shapes it: hostnames x 10 path prefixes, each path
/// with a header-match rule (x-variant: canary) before its plain prefix rule. One operation = host lookup + route match
/// for the next of 1,024 prepared requests spread over all hosts and paths, half of them with the header.
/// Target: zero bytes allocated, and the 10,000-route cost close to the 10-route one.
/// </summary>
[MemoryDiagnoser]
public class RouterBenchmark
{
    private HostMap<RouteMatcher> _hosts = new();
    private (string Host, string Path, HttpRequest Request)[] _requests = [];
    private int _next;

    [Params(10, 1_000, 10_000)]
    public int Routes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var hosts = Math.Max(1, Routes / 10);
        var paths = Math.Min(10, Routes);
        _hosts = new HostMap<RouteMatcher>();
        var share = new CompileShare(); // as RouteCompiler: equal conditions are one object
        for (var h = 0; h < hosts; h++)
        {
            var matches = new List<CompiledMatch>();
            for (var p = 0; p < paths; p++)
            {
                var canary = new HttpRuleIr { Name = $"h{h}/p{p}/canary" };
                var plain = new HttpRuleIr { Name = $"h{h}/p{p}" };
                matches.Add(Compile(share, new HttpMatchIr
                {
                    PathValue = $"/p{p}",
                    Headers = new[] { new ValueMatchIr("x-variant", StringMatchKind.Exact, "canary") },
                    Rule = canary,
                }));
                matches.Add(Compile(share, new HttpMatchIr { PathValue = $"/p{p}", Rule = plain }));
            }
            _hosts.Add($"h{h}.bench", new RouteMatcher(matches));
        }
        var random = new Random(42);
        _requests = new (string, string, HttpRequest)[1024];
        for (var i = 0; i < _requests.Length; i++)
        {
            var context = new DefaultHttpContext();
            var path = $"/p{random.Next(paths)}/item";
            context.Request.Method = "GET";
            context.Request.Path = path;
            if (i % 2 == 0) context.Request.Headers["x-variant"] = "canary";
            _requests[i] = ($"h{random.Next(hosts)}.bench", path, context.Request);
        }
        if (Lookup() is null) throw new InvalidOperationException("the prepared requests do not match");
    }

    private static CompiledMatch Compile(CompileShare share, HttpMatchIr match) =>
        new(match, new CompiledRule(match.Rule, _ => null, share), null, share);

    [Benchmark]
    public string? Lookup()
    {
        var (host, path, request) = _requests[_next++ & 1023];
        return _hosts.Find(host)?.Find(request, path)?.Rule.Name;
    }
}
