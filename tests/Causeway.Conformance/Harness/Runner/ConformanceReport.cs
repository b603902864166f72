using System.Globalization;
using System.Text;

namespace Causeway.Conformance.Harness.Runner;

/// <summary>An upstream-shaped ConformanceReport (apiVersion gateway.networking.k8s.io/v1, kind ConformanceReport).</summary>
public sealed class ConformanceReport(IReadOnlyList<TestOutcome> outcomes, IReadOnlySet<string> supportedFeatures)
{
    public const string GatewayApiVersion = "v1.6.1+4564255ac2c3";
    public const string ImplementationVersion = "0.1.0";

    /// <summary>A profile: its core features and the route feature that marks its tests.</summary>
    public sealed record Profile(string Name, string RouteFeature, IReadOnlySet<string> Core);

    public static readonly IReadOnlyList<Profile> Profiles =
    [
        new("GATEWAY-HTTP", "HTTPRoute", new HashSet<string> { "Gateway", "HTTPRoute", "ReferenceGrant" }),
        new("GATEWAY-GRPC", "GRPCRoute", new HashSet<string> { "Gateway", "GRPCRoute", "ReferenceGrant" }),
        new("GATEWAY-TLS", "TLSRoute", new HashSet<string> { "Gateway", "TLSRoute", "ReferenceGrant" }),
        new("GATEWAY-TCP", "TCPRoute", new HashSet<string> { "Gateway", "TCPRoute", "ReferenceGrant" }),
        new("GATEWAY-UDP", "UDPRoute", new HashSet<string> { "Gateway", "UDPRoute", "ReferenceGrant" }),
    ];

    private static readonly string[] RouteFeatures = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

    /// <summary>A test belongs to a profile when it uses the profile's route kind, or no route kind at all (Gateway-only tests).</summary>
    public static bool InProfile(TestOutcome t, Profile p) =>
        t.Features.Contains(p.RouteFeature) || !t.Features.Any(RouteFeatures.Contains);

    public static bool IsCore(TestOutcome t, Profile p) => t.Features.All(p.Core.Contains);

    public sealed record Stats(int Passed, int Failed, int Skipped)
    {
        public string Result => Failed > 0 ? "failure" : Passed == 0 ? "skipped" : Skipped > 0 ? "partial" : "success";
    }

    public Stats StatsFor(Profile p, bool core)
    {
        var tests = outcomes.Where(t => InProfile(t, p) && IsCore(t, p) == core).ToList();
        return new Stats(tests.Count(t => t.Kind == OutcomeKind.Passed), tests.Count(t => t.Kind == OutcomeKind.Failed), tests.Count(t => t.Kind == OutcomeKind.Skipped));
    }

    public IEnumerable<string> SummaryLines()
    {
        foreach (var p in Profiles)
        {
            var core = StatsFor(p, true);
            var ext = StatsFor(p, false);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{p.Name}: core {core.Result} (passed {core.Passed}, failed {core.Failed}, skipped {core.Skipped}); extended {ext.Result} (passed {ext.Passed}, failed {ext.Failed}, skipped {ext.Skipped})");
        }
    }

    public string ToYaml(DateTimeOffset date)
    {
        var sb = new StringBuilder();
        sb.AppendLine("apiVersion: gateway.networking.k8s.io/v1");
        sb.AppendLine("kind: ConformanceReport");
        sb.AppendLine($"date: \"{date.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\"");
        sb.AppendLine("mode: default");
        sb.AppendLine($"gatewayAPIVersion: {GatewayApiVersion}");
        sb.AppendLine("gatewayAPIChannel: experimental");
        sb.AppendLine("implementation:");
        sb.AppendLine("  organization: causeway");
        sb.AppendLine("  project: causeway");
        sb.AppendLine("  url: https://github.com/causeway/causeway");
        sb.AppendLine($"  version: {ImplementationVersion}");
        sb.AppendLine("  contact: []");
        sb.AppendLine("profiles:");
        foreach (var p in Profiles)
        {
            var core = StatsFor(p, true);
            var ext = StatsFor(p, false);
            var inProfile = outcomes.Where(t => InProfile(t, p)).ToList();
            var extFeatures = inProfile.SelectMany(t => t.Features).Where(f => !p.Core.Contains(f)).Distinct().Order(StringComparer.Ordinal).ToList();
            sb.AppendLine($"  - name: {p.Name}");
            sb.AppendLine("    core:");
            AppendResult(sb, core, inProfile.Where(t => IsCore(t, p)));
            sb.AppendLine("    extended:");
            AppendResult(sb, ext, inProfile.Where(t => !IsCore(t, p)));
            AppendList(sb, "      supportedFeatures", extFeatures.Where(supportedFeatures.Contains));
            AppendList(sb, "      unsupportedFeatures", extFeatures.Where(f => !supportedFeatures.Contains(f)));
        }
        AppendList(sb, "supportedFeatures", supportedFeatures.Order(StringComparer.Ordinal));
        sb.AppendLine("skippedTests:");
        foreach (var t in outcomes.Where(t => t.Kind == OutcomeKind.Skipped).OrderBy(t => t.Name, StringComparer.Ordinal))
            sb.AppendLine($"  - name: {t.Name}").AppendLine($"    reason: {Quote(t.Reason ?? "")}");
        sb.AppendLine("failedTests:");
        foreach (var t in outcomes.Where(t => t.Kind == OutcomeKind.Failed).OrderBy(t => t.Name, StringComparer.Ordinal))
            sb.AppendLine($"  - name: {t.Name}").AppendLine($"    reason: {Quote(t.Reason ?? "")}");
        return sb.ToString();
    }

    private static void AppendResult(StringBuilder sb, Stats s, IEnumerable<TestOutcome> tests)
    {
        sb.AppendLine($"      result: {s.Result}");
        sb.AppendLine("      statistics:");
        sb.AppendLine($"        Passed: {s.Passed}");
        sb.AppendLine($"        Failed: {s.Failed}");
        sb.AppendLine($"        Skipped: {s.Skipped}");
        var failed = tests.Where(t => t.Kind == OutcomeKind.Failed).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        if (failed.Count > 0) AppendList(sb, "      failedTests", failed);
        var skipped = tests.Where(t => t.Kind == OutcomeKind.Skipped).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        if (skipped.Count > 0) AppendList(sb, "      skippedTests", skipped);
    }

    private static void AppendList(StringBuilder sb, string key, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0) { sb.AppendLine($"{key}: []"); return; }
        sb.AppendLine($"{key}:");
        var indent = new string(' ', key.Length - key.TrimStart().Length + 2);
        foreach (var i in list) sb.AppendLine($"{indent}- {i}");
    }

    /// <summary>A YAML double-quoted scalar.</summary>
    public static string Quote(string s) =>
        "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal) + "\"";
}
