using System.Diagnostics;
using System.Globalization;
using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy <c>headers.enableEnvoyHeaders</c>: the x-envoy-* headers Envoy's router adds when it does not
/// suppress them (Envoy Gateway suppresses them unless the listener's policy enables them), written once here and
/// called by every transport: <c>x-envoy-expected-rq-timeout-ms</c> on a forwarded request whose rule has a timeout
/// (the per-attempt timeout, else the request timeout, in milliseconds; it replaces what the client sent), and
/// <c>x-envoy-upstream-service-time</c> on a backend's response (milliseconds from the request going upstream until
/// the response head arrived), and <c>x-envoy-original-path</c> (the client's path and query) on a forwarded request
/// whose path a URL rewrite changes. <c>x-envoy-overloaded</c> is the circuit breaker's, sent whatever this setting.
/// Envoy's <c>x-envoy-attempt-count</c> needs a virtual host option Envoy Gateway does not set, so it is not sent.
/// </summary>
internal static class EnvoyHeaders
{
    public static readonly HeaderText ExpectedTimeoutName = new("x-envoy-expected-rq-timeout-ms");
    public static readonly HeaderText ServiceTimeName = new("x-envoy-upstream-service-time");
    public static readonly HeaderText OriginalPathName = new("x-envoy-original-path");

    private static readonly byte[][] SmallNumbers = [.. Enumerable.Range(0, 1000).Select(i => Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture)))];
    private static readonly string[] SmallStrings = [.. Enumerable.Range(0, 1000).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>A rule's <c>x-envoy-expected-rq-timeout-ms</c> value, made once per apply; null: the rule has no timeout.</summary>
    public static HeaderText? ExpectedTimeout(HttpRuleIr rule) =>
        (rule.BackendRequestTimeout ?? rule.RequestTimeout) is { } t && t > TimeSpan.Zero
            ? new HeaderText(((long)Math.Ceiling(t.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture))
            : null;

    /// <summary>Sets <c>x-envoy-expected-rq-timeout-ms</c> on the request the backend gets, when the rule has a timeout.</summary>
    public static void SetExpectedTimeout<TEditor>(ref TEditor headers, CompiledRule rule) where TEditor : struct, IHeaderEditor
    {
        if (rule.EnvoyExpectedTimeout is not { } value) return;
        headers.RemoveAll(ExpectedTimeoutName, keep: false);
        headers.Add(ExpectedTimeoutName, value, afterKept: false);
    }

    /// <summary>Milliseconds since <paramref name="upstreamStart"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static long ServiceTimeMs(long upstreamStart) => Math.Max(0, (long)Stopwatch.GetElapsedTime(upstreamStart).TotalMilliseconds);

    /// <summary>The service time as ASCII (shared arrays below a second: no allocation).</summary>
    public static byte[] ServiceTimeBytes(long upstreamStart)
    {
        var ms = ServiceTimeMs(upstreamStart);
        return ms < SmallNumbers.Length ? SmallNumbers[ms] : Encoding.ASCII.GetBytes(ms.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The service time as text (shared strings below a second).</summary>
    public static string ServiceTimeText(long upstreamStart)
    {
        var ms = ServiceTimeMs(upstreamStart);
        return ms < SmallStrings.Length ? SmallStrings[ms] : ms.ToString(CultureInfo.InvariantCulture);
    }
}
