using System.Diagnostics;

namespace Causeway.DataPlane.Telemetry.Tracing;

/// <summary>
/// Ends an exchange's spans from the completion hook (<see cref="ExchangeSummary"/>): status codes, error status, the
/// end times the transport measured. Upstream attempts that were retried were ended when the retry began
/// (<see cref="EndAttempt"/>).
/// </summary>
internal static class SpanEnds
{
    public static void Record(in ExchangeSummary summary)
    {
        if (summary.ServerSpan is not { } server) return;
        if (summary.ClientSpan is { } client)
        {
            if (!summary.LocalReply && summary.Status > 0) client.SetTag("http.response.status_code", summary.Status);
            if (summary.LocalReply) client.SetStatus(ActivityStatusCode.Error, "upstream failed; the gateway answered " + summary.Status);
            else if (summary.Status >= 500) client.SetStatus(ActivityStatusCode.Error);
            var upstreamEnd = summary.UpstreamEnd != 0 ? summary.UpstreamEnd : summary.EndTimestamp;
            End(client, summary.UpstreamStart, upstreamEnd);
        }
        if (summary.Status > 0) server.SetTag("http.response.status_code", summary.Status);
        if (summary.Aborted) server.SetStatus(ActivityStatusCode.Error, "exchange cut");
        else if (summary.Status >= 500) server.SetStatus(ActivityStatusCode.Error);
        End(server, summary.StartTimestamp, summary.EndTimestamp);
    }

    /// <summary>Ends a CLIENT span whose attempt failed and is retried.</summary>
    public static void EndAttempt(Activity client, string reason)
    {
        client.SetStatus(ActivityStatusCode.Error, reason);
        End(client, 0, 0);
    }

    private static void End(Activity span, long start, long end)
    {
        if (start != 0 && end >= start) span.SetEndTime(span.StartTimeUtc + Stopwatch.GetElapsedTime(start, end));
        var current = Activity.Current;
        span.Stop();
        Activity.Current = current;
    }
}
