using BenchmarkDotNet.Attributes;
using Causeway.DataPlane.Compile;
using Causeway.DataPlane.Filters;
using Causeway.DataPlane.Routing;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.Benchmarks;

/// <summary>
/// The per-request filter work of the full (Kestrel + YARP) pipeline, each precompiled at configuration time:
/// a request header modifier (remove, add, set, remove), a ReplacePrefixMatch path rewrite and a redirect Location.
/// </summary>
[MemoryDiagnoser]
public class FilterBenchmark
{
    private readonly HeaderDictionary _headers = new() { ["x-existing"] = "1", ["user-agent"] = "bench" };
    private HeaderEdits _edits = null!;
    private readonly PathModifierIr _rewrite = new(PathModifierKind.ReplacePrefixMatch, "/v2");
    private readonly RedirectIr _redirect = new() { Scheme = "https", StatusCode = 301 };
    private HttpRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _edits = HeaderEdits.Create([new HeaderModifierIr
        {
            Set = new[] { new KeyValuePair<string, string>("x-set", "value") },
            Add = new[] { new KeyValuePair<string, string>("x-added", "a") },
            Remove = new[] { "x-added", "x-remove-me" },
        }])!;
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("www.example.com");
        context.Request.Path = "/v1/items/42";
        context.Request.QueryString = new QueryString("?a=1");
        _request = context.Request;
    }

    [Benchmark]
    public int HeaderModifier()
    {
        _edits.Apply(_headers);
        return _headers.Count;
    }

    [Benchmark]
    public string PathRewrite() => PathRewriter.Apply(_rewrite, "/v1", "/v1/items/42");

    [Benchmark]
    public string RedirectLocation() => RedirectBuilder.Location(_redirect, _request, "/v1", 8080);
}
