using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Upstream;

/// <summary>How an upstream exchange failed, as every transport classifies it.</summary>
internal enum UpstreamFailure
{
    /// <summary>The connection could not be made (refused, unreachable, TLS refused): 503.</summary>
    ConnectFailed,

    /// <summary>The connection was not made in time: 503.</summary>
    ConnectTimeout,

    /// <summary>
    /// The backend closed or reset the connection before sending a byte of its answer: 503, as Envoy answers a
    /// "disconnect/reset before headers" (and as the Kestrel pipeline, which sees it as a connection error, does).
    /// </summary>
    ClosedBeforeAnswer,

    /// <summary>A malformed, incomplete or oversized response (head or body): 502.</summary>
    BadResponse,

    /// <summary>The backend went quiet past the activity timeout, or an attempt's timeout (backendRequest): 504.</summary>
    Timeout,

    /// <summary>The route's whole-request timeout: 504, never retried.</summary>
    RequestTimeout,

    /// <summary>
    /// A new connection was needed but the endpoint has its <c>circuitBreaker.perEndpoint.maxConnections</c> open: 503
    /// with <c>x-envoy-overloaded: true</c>, never retried (Envoy's upstream overflow).
    /// </summary>
    Overflow,
}

/// <summary>
/// The one decision about an upstream outcome, shared by every transport: which status a failure answers, whether a
/// dead pooled connection is retried on a fresh one, and whether the route's retry policy asks for another attempt.
/// </summary>
internal static class UpstreamDecision
{
    /// <summary>The largest response head any transport accepts from a backend (a larger one is a bad response).</summary>
    public const int MaxResponseHead = 64 * 1024;

    public static int Status(UpstreamFailure failure) => failure switch
    {
        UpstreamFailure.ConnectFailed or UpstreamFailure.ConnectTimeout or UpstreamFailure.ClosedBeforeAnswer or UpstreamFailure.Overflow => 503,
        UpstreamFailure.Timeout or UpstreamFailure.RequestTimeout => 504,
        _ => 502,
    };

    /// <summary>The gateway's answer to a failure: empty, but an overflow's, which says so as Envoy's does.</summary>
    public static LocalReply Reply(UpstreamFailure failure) =>
        failure == UpstreamFailure.Overflow ? Policies.CircuitBreaker.CircuitBreakerStep.OverflowReply() : LocalReply.Empty(Status(failure));

    /// <summary>
    /// A pooled connection that the backend closed while it sat idle fails before any answer: the request goes once
    /// more on a fresh connection when it can be replayed exactly. Not a retry in the policy's sense (not counted).
    /// </summary>
    public static bool RetryOnFreshConnection(UpstreamFailure failure, bool reusedConnection, bool backendAnswered, bool replayable, bool alreadyRetried) =>
        failure == UpstreamFailure.ClosedBeforeAnswer && reusedConnection && !backendAnswered && replayable && !alreadyRetried;

    /// <summary>
    /// Whether the route's retry policy asks for another attempt after a failure that answers
    /// <paramref name="status"/>: 503 (no connection) always is retried while attempts remain, other statuses when
    /// their code is listed; the whole-request timeout never.
    /// </summary>
    public static bool RetryFailure(CompiledRule rule, int status, UpstreamFailure failure)
    {
        if (failure is UpstreamFailure.RequestTimeout or UpstreamFailure.Overflow) return false;
        if (rule.RetryOnFailures is not { } kinds) return status == 503 || rule.IsRetryStatus(status);
        var kind = failure switch
        {
            UpstreamFailure.ConnectFailed or UpstreamFailure.ConnectTimeout => RetryFailures.Connect,
            UpstreamFailure.Timeout => RetryFailures.Timeout,
            _ => RetryFailures.Reset, // closed before answering, or a malformed answer
        };
        return (kinds & kind) != 0;
    }

    /// <summary>
    /// A retry the route's policy asks for may start only while the circuit breaker has room for one more retry in
    /// flight (<c>maxParallelRetries</c>, or the <c>retryBudget</c>); the slot is held by <paramref name="policy"/> until
    /// the exchange completes. Otherwise the retry is not made (the failure is answered) and counted as an overflow.
    /// </summary>
    public static bool AdmitRetry(CompiledRule rule, RequestPolicyState? policy, BackendStats? stats)
    {
        if (rule.RetryLimit is not { } limit) return true;
        // The breaker's step needs the policy state, so a rule with a limit always has it; without, nothing could hold a slot.
        if (policy is null ? limit.InFlight < limit.Current : policy.TryHoldRetry(limit)) return true;
        stats?.RetryOverflow();
        return false;
    }

    /// <summary>
    /// Whether a backend's own answer is retried: its status is listed, or (gRPC) the <c>grpc-status</c> of a
    /// trailers-only answer is.
    /// </summary>
    public static bool RetryAnswer(CompiledRule rule, int status, int? grpcStatus = null) =>
        rule.IsRetryStatus(status) || (grpcStatus is { } g && Array.IndexOf(rule.RetryGrpcCodes, g) >= 0);
}
