namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// What one HTTP exchange came to, handed by every transport to the one completion hook
/// (<see cref="IExchangeObserver"/>) when the response is done or the exchange was cut: the seam that metrics, the
/// access log and spans record from. A struct passed by reference: nothing is allocated per request.
/// </summary>
/// <param name="Transport">Which transport served it.</param>
/// <param name="Plan">The matched rule's plan; null when no route matched (404, 421) or the request was refused first.</param>
/// <param name="Status">The status the client got (the backend's, or the gateway's own reply).</param>
/// <param name="LocalReply">The gateway answered itself (redirect, direct response, preflight, 4xx/5xx of its own).</param>
/// <param name="Aborted">The exchange was cut (client gone, backend failed after the response started).</param>
/// <param name="StartTimestamp">When the request head was complete (<see cref="System.Diagnostics.Stopwatch"/> ticks).</param>
/// <param name="EndTimestamp">When the exchange ended.</param>
internal readonly record struct ExchangeSummary(
    TransportSet Transport, RoutePlan? Plan, int Status, bool LocalReply, bool Aborted, long StartTimestamp, long EndTimestamp);

/// <summary>The one completion hook every transport calls once per exchange.</summary>
internal interface IExchangeObserver
{
    void OnExchangeCompleted(in ExchangeSummary summary);
}
