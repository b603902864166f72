namespace Causeway.DataPlane.Upstream;

/// <summary>
/// A backend connection was not opened: its endpoint has its <c>circuitBreaker.perEndpoint.maxConnections</c> open
/// (thrown by <see cref="BackendConnector"/>; the request is answered 503 overloaded, <see cref="UpstreamFailure.Overflow"/>).
/// </summary>
internal sealed class EndpointOverflowException(string endpoint)
    : Exception($"{endpoint} has its circuitBreaker.perEndpoint.maxConnections open");
