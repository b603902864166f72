namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// One differential case: the exact bytes a client writes on a fresh connection, how many responses to read back, what
/// the raw backend answers, and (optionally) the first status every transport must give.
/// </summary>
/// <param name="Name">Shown as the theory's data row.</param>
/// <param name="Request">Raw bytes (one request, or several pipelined).</param>
/// <param name="Backend">The backend's answer to the n-th request it receives in this case.</param>
public sealed record DiffCase(string Name, string Request, Func<BackendRequest, int, BackendReply> Backend)
{
    /// <summary>The requests are HEAD (responses carry no body).</summary>
    public bool Head { get; init; }

    /// <summary>Responses to read before the tail.</summary>
    public int Responses { get; init; } = 1;

    /// <summary>
    /// After the responses, read until EOF or a short quiet time and compare that tail and whether the connection
    /// closed (for smuggling cases: a second response or a kept-open connection after a 400 is a failure).
    /// </summary>
    public bool Drain { get; init; }

    /// <summary>Status of the first response, the same on every transport (null: only compared).</summary>
    public int? Status { get; init; }

    /// <summary>The event loop serves the case itself: it must not hand the connection to Kestrel.</summary>
    public bool LoopServes { get; init; }

    /// <summary>Requests the backend must receive (null: only compared).</summary>
    public int? BackendRequests { get; init; }

    /// <summary>
    /// Identical consecutive backend records count once: when a backend closes a reused connection without answering,
    /// every transport retries on another connection, but how often depends on how many idle pooled connections that
    /// transport holds at that moment (HttpClient retries on each reused one, the relays once on a fresh one).
    /// </summary>
    public bool CollapseRetries { get; init; }

    /// <summary>
    /// Set (to the reason) when Kestrel + YARP alone is known to differ from the two fast paths: the fast paths are then
    /// compared with each other and the expectations are checked on them only. Kept visible rather than left out.
    /// </summary>
    public string? YarpOnlyDifference { get; init; }

    public override string ToString() => Name;
}
