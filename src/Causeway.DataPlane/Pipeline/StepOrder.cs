namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// The one place that says in which order a request meets the gateway's behaviours, as Envoy Gateway users expect it:
/// client IP detection, fault injection, CORS, authentication, authorization, rate limits, the route's filters, the upstream policies
/// (backend choice, timeouts, retries), then what is done to the response. A route plan sorts its steps by this.
/// </summary>
internal enum StepStage
{
    ClientIp = 0,

    /// <summary>Envoy Gateway's fault injection (abort; delay on Kestrel), first after the client is known, as Envoy runs its fault filter.</summary>
    FaultInjection = 1,
    Cors = 2,
    Authentication = 3,
    Authorization = 4,
    RateLimit = 5,
    RouteFilters = 6,
    Upstream = 7,
    Response = 8,
}

internal static class StepOrder
{
    /// <summary>Steps in pipeline order; steps of one stage keep the order they were written in (a stable sort).</summary>
    public static PipelineStep[] Sort(IEnumerable<PipelineStep> steps) => [.. steps.OrderBy(s => (int)s.Stage)];
}
