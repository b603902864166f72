using Causeway.Model.Loading;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Policies;

namespace Causeway.Translation.Tests.Policies;

/// <summary>
/// <see cref="PolicyMerge"/> at the JSON level: every BackendTrafficPolicy and SecurityPolicy of the golden inputs,
/// merged onto a parent with an empty spec, compiles to exactly what it compiles to alone (the object model's JSON
/// round trip loses nothing); and the two merge types treat lists as documented.
/// </summary>
public sealed class PolicyMergeTests
{
    private static ResourceSnapshot Load(string file) =>
        ResourceSnapshot.Create(new ManifestLoader(TestData.Validator).LoadText(File.ReadAllText(file), Path.GetFileName(file)).Objects);

    public static IEnumerable<object[]> Files() =>
        Directory.EnumerateFiles(TestData.Directory, "*.in.yaml").Order(StringComparer.Ordinal)
            .Where(f => File.ReadAllText(f).Contains("kind: BackendTrafficPolicy", StringComparison.Ordinal)
                || File.ReadAllText(f).Contains("kind: SecurityPolicy", StringComparison.Ordinal))
            .Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Files))]
    public void Merging_onto_an_empty_parent_changes_nothing(string file)
    {
        var s = Load(Path.Combine(TestData.Directory, file));
        foreach (var p in s.BackendTrafficPolicies)
        {
            var alone = BackendTrafficPolicyCompiler.Compile(p with { Spec = p.Spec with { MergeType = null } }, s);
            var merged = BackendTrafficPolicyCompiler.Compile(PolicyMerge.Merge(new BackendTrafficPolicy(), p, PolicyMerge.StrategicMerge), s);
            Assert.Equal(alone.Ir, merged.Ir);
            Assert.Equal(alone.Errors, merged.Errors);
            Assert.Equal(alone.Warnings, merged.Warnings);
        }
        foreach (var p in s.SecurityPolicies)
        {
            var alone = SecurityPolicyCompiler.Compile(p with { Spec = p.Spec with { MergeType = null } }, s);
            var merged = SecurityPolicyCompiler.Compile(PolicyMerge.Merge(new SecurityPolicy(), p, PolicyMerge.JsonMerge), s);
            Assert.Equal(alone.Ir, merged.Ir);
            Assert.Equal(alone.Errors, merged.Errors);
        }
    }

    private static BackendTrafficPolicy Limits(params long[] requests) => new()
    {
        Kind = "BackendTrafficPolicy",
        Metadata = new() { Name = "p", Namespace = "ns" },
        Spec = new BackendTrafficPolicySpec
        {
            RateLimit = new RateLimitSpec
            {
                Local = new LocalRateLimitSpec { Rules = [.. requests.Select(r => new RateLimitRuleSpec { Limit = new RateLimitValueSpec { Requests = r, Unit = "Minute" } })] },
            },
        },
    };

    [Fact]
    public void StrategicMerge_joins_lists_and_JSONMerge_replaces_them()
    {
        var parent = Limits(100);
        var route = Limits(5, 100);
        var strategic = PolicyMerge.Merge(parent, route, PolicyMerge.StrategicMerge);
        Assert.Equal([100L, 5L], strategic.Spec.RateLimit!.Local!.Rules.Select(r => r.Limit.Requests ?? 0));
        var json = PolicyMerge.Merge(parent, route, PolicyMerge.JsonMerge);
        Assert.Equal([5L, 100L], json.Spec.RateLimit!.Local!.Rules.Select(r => r.Limit.Requests ?? 0));
        Assert.Null(json.Spec.MergeType);
    }
}
