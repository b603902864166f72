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
            End(client, server, summary.StartTimestamp, Math.Min(upstreamEnd, summary.EndTimestamp));
        }
        if (summary.Status > 0) server.SetTag("http.response.status_code", summary.Status);
        if (summary.Aborted) server.SetStatus(ActivityStatusCode.Error, "exchange cut");
        else if (summary.Status >= 500) server.SetStatus(ActivityStatusCode.Error);
        End(server, server, summary.StartTimestamp, summary.EndTimestamp);
    }

    /// <summary>Ends a CLIENT span whose attempt failed and is retried.</summary>
    public static void EndAttempt(Activity client, string reason)
    {
        client.SetStatus(ActivityStatusCode.Error, reason);
        StopKeepingCurrent(client);
    }

    /// <summary>Ends <paramref name="span"/> at <paramref name="end"/>, measured from the SERVER span's start (both Stopwatch ticks).</summary>
    private static void End(Activity span, Activity server, long serverStart, long end)
    {
        if (serverStart != 0 && end >= serverStart)
        {
            var endTime = server.StartTimeUtc + Stopwatch.GetElapsedTime(serverStart, end);
            if (endTime >= span.StartTimeUtc) span.SetEndTime(endTime);
        }
        StopKeepingCurrent(span);
    }

    private static void StopKeepingCurrent(Activity span)
    {
        var current = Activity.Current;
        span.Stop();
        Activity.Current = current;
    }
}
