namespace Causeway.DataPlane.Tests.Differential;

/// <summary>How a backend request is compared across transports.</summary>
public static class BackendView
{
    /// <summary>
    /// The request as compared: request line and body as received; header names lower-cased (case-insensitive, RFC 9110
    /// 5.1: Kestrel's header dictionary gives the headers it knows its own casing, the relays keep the client's); header
    /// lines in name order by a stable sort, so repeated names keep their relative order (significant, RFC 9110 5.3)
    /// while different names may come in another order (not significant): YARP's HttpClient writes the headers of
    /// the request's content (Content-Type, Content-Length) after the others and Kestrel enumerates the headers it
    /// knows from fixed slots, where the relays keep the client's order.
    /// </summary>
    public static string Normalize(BackendRequest r) =>
        (r with { Headers = [.. r.Headers.OrderBy(h => h.Key, StringComparer.Ordinal)] }).ToString();
}
