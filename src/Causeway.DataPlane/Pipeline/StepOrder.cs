namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// The one place that says in which order a request meets the gateway's behaviours, as Envoy Gateway users expect it:
/// client IP detection, CORS, authentication, authorization, rate limits, the route's filters, the upstream policies
/// (backend choice, timeouts, retries), then what is done to the response. A route plan sorts its steps by this.
/// </summary>
internal enum StepStage
{
    ClientIp = 0,
    Cors = 1,
    Authentication = 2,
    Authorization = 3,
    RateLimit = 4,
    RouteFilters = 5,
    Upstream = 6,
    Response = 7,
}

internal static class StepOrder
{
    /// <summary>Steps in pipeline order; steps of one stage keep the order they were written in (a stable sort).</summary>
    public static PipelineStep[] Sort(IEnumerable<PipelineStep> steps) => [.. steps.OrderBy(s => (int)s.Stage)];
}
